import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  EARLY_TICKET_MAX_AGE_MS,
  LoginRequiredError,
  TicketUnavailableError,
  requestTicket,
  ticketsAskedAhead,
} from '../src/tickets.js';

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

describe('ticketsAskedAhead', () => {
  function counting() {
    let n = 0;
    const request = async () => `ticket-${++n}`;
    return { request, count: () => n };
  }

  test('asks for the first ticket at once and hands it to the first caller only', async () => {
    const { request, count } = counting();
    const next = ticketsAskedAhead(request, () => 0);
    assert.equal(count(), 1); // before anyone asked
    assert.equal(await next(), 'ticket-1');
    assert.equal(await next(), 'ticket-2');
    assert.equal(count(), 2);
  });

  test('asks anew when the ticket asked for ahead has grown old', async () => {
    const { request } = counting();
    let clock = 1_000;
    const next = ticketsAskedAhead(request, () => clock);
    clock += EARLY_TICKET_MAX_AGE_MS + 1;
    assert.equal(await next(), 'ticket-2');
  });

  test('a failed early request reaches its taker, and the next call asks again', async () => {
    let n = 0;
    const request = async () => {
      n += 1;
      if (n === 1) throw new LoginRequiredError('answered 401');
      return 'fresh';
    };
    const next = ticketsAskedAhead(request, () => 0);
    await assert.rejects(next(), LoginRequiredError);
    assert.equal(await next(), 'fresh');
  });
});
