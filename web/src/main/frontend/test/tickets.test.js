import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LoginRequiredError, TicketUnavailableError, requestTicket } from '../src/tickets.js';

function answering(status, body, contentType) {
  const calls = [];
  const fetchFn = async (url, init) => {
    calls.push({ url, init });
    return new Response(body, { status, headers: contentType ? { 'content-type': contentType } : {} });
  };
  return { fetchFn, calls };
}

describe('requestTicket', () => {
  test('POSTs with the login cookie, asking for JSON, and returns the ticket', async () => {
    const { fetchFn, calls } = answering(201, '{"ticket":"abc","expiresAt":"2026-11-21T10:00:30Z"}', 'application/json');
    assert.equal(await requestTicket(fetchFn), 'abc');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, 'api/tickets');
    assert.equal(calls[0].init.method, 'POST');
    assert.equal(calls[0].init.credentials, 'same-origin');
    assert.equal(calls[0].init.headers.Accept, 'application/json');
  });

  test('accepts a JSON content type with parameters', async () => {
    const { fetchFn } = answering(201, '{"ticket":"t"}', 'application/json;charset=UTF-8');
    assert.equal(await requestTicket(fetchFn), 't');
  });

  for (const { name, status, body, type, error } of [
    { name: '401', status: 401, body: '', type: 'text/plain', error: LoginRequiredError },
    { name: '403', status: 403, body: '', type: undefined, error: LoginRequiredError },
    { name: 'the login page instead of JSON', status: 200, body: '<html><form action="j_security_check">', type: 'text/html', error: LoginRequiredError },
    { name: 'a server error page', status: 503, body: '<html>unavailable', type: 'text/html', error: TicketUnavailableError },
    { name: 'a JSON server error', status: 500, body: '{"error":"x"}', type: 'application/json', error: TicketUnavailableError },
    { name: 'JSON without a ticket', status: 201, body: '{"expiresAt":"x"}', type: 'application/json', error: TicketUnavailableError },
    { name: 'JSON null', status: 201, body: 'null', type: 'application/json', error: TicketUnavailableError },
    { name: 'broken JSON', status: 201, body: '{"ticket":', type: 'application/json', error: TicketUnavailableError },
  ]) {
    test(`${name} rejects with ${error.name}`, async () => {
      const { fetchFn } = answering(status, body, type);
      await assert.rejects(requestTicket(fetchFn), error);
    });
  }

  test('a network failure may pass: TicketUnavailableError', async () => {
    const fetchFn = async () => {
      throw new TypeError('Failed to fetch');
    };
    await assert.rejects(requestTicket(fetchFn), TicketUnavailableError);
  });
});
