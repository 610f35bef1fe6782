// The admin API client against a scripted fetch: URLs, methods, bodies, and the sentence each
// failure leaves for the admin.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  AdminApiError, FORBIDDEN_MESSAGE, LOGIN_REQUIRED_MESSAGE, commandOutcome, createAdminApi, noticeText,
} from '../src/admin-api.js';

function fakeFetch(answer) {
  const calls = [];
  const fetchFn = async (url, init) => {
    calls.push({ url, ...init });
    if (answer instanceof Error) throw answer;
    const { status = 200, type = 'application/json', body = {} } = answer;
    return {
      status,
      ok: status >= 200 && status < 300,
      headers: { get: (name) => (name.toLowerCase() === 'content-type' ? type : null) },
      json: async () => (typeof body === 'string' ? JSON.parse(body) : body),
    };
  };
  return { fetchFn, calls };
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

describe('requests', () => {
  test('GET sessions with the page query, same-origin, not cached', async () => {
    const { fetchFn, calls } = fakeFetch({ body: { items: [], total: 0, limit: 10, offset: 0 } });
    const answer = await createAdminApi(fetchFn).sessions('user=alice&limit=10&offset=0');
    assert.deepEqual(answer, { items: [], total: 0, limit: 10, offset: 0 });
    assert.equal(calls[0].url, 'api/admin/sessions?user=alice&limit=10&offset=0');
    assert.equal(calls[0].method, 'GET');
    assert.equal(calls[0].credentials, 'same-origin');
    assert.equal(calls[0].cache, 'no-store');
    assert.equal(calls[0].body, undefined);
  });

  test('commands are POSTs to the documented paths, ids escaped', async () => {
    const { fetchFn, calls } = fakeFetch({ status: 202, body: { kind: 'kill' } });
    const api = createAdminApi(fetchFn);
    await api.kill('a/b');
    await api.detach('s1');
    await api.notice('s1', 'Maintenance at 18:00.');
    await api.noticeAll('Bye');
    await api.drain('node 2');
    await api.undrain('node2');
    await api.session('s1');
    await api.nodes();
    assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
      'POST api/admin/sessions/a%2Fb/kill',
      'POST api/admin/sessions/s1/detach',
      'POST api/admin/sessions/s1/notice',
      'POST api/admin/notice',
      'POST api/admin/nodes/node%202/drain',
      'POST api/admin/nodes/node2/undrain',
      'GET api/admin/sessions/s1',
      'GET api/admin/nodes',
    ]);
    assert.equal(calls[2].body, '{"message":"Maintenance at 18:00."}');
    assert.equal(calls[2].headers['Content-Type'], 'application/json');
    assert.equal(calls[3].body, '{"message":"Bye"}');
    assert.equal(calls[0].body, undefined);
  });
});

describe('failures', () => {
  test('a JSON error shows its message', async () => {
    const { fetchFn } = fakeFetch({ status: 404, body: { error: 'no-such-session', message: 'There is no session s9.' } });
    const error = await rejection(createAdminApi(fetchFn).kill('s9'));
    assert.ok(error instanceof AdminApiError);
    assert.equal(error.status, 404);
    assert.equal(error.error, 'no-such-session');
    assert.equal(error.message, 'There is no session s9.');
    assert.equal(commandOutcome('kill s9', error), 'kill s9: There is no session s9.');
  });

  test('403 is forbidden, with the server\'s sentence or ours', async () => {
    const json = fakeFetch({ status: 403, body: { error: 'forbidden', message: 'This needs the admin role.' } });
    const withJson = await rejection(createAdminApi(json.fetchFn).nodes());
    assert.equal(withJson.forbidden, true);
    const bare = fakeFetch({ status: 403, type: 'text/html', body: null });
    const withoutJson = await rejection(createAdminApi(bare.fetchFn).nodes());
    assert.equal(withoutJson.forbidden, true);
    assert.equal(withoutJson.message, FORBIDDEN_MESSAGE);
  });

  test('an HTML 200 is the login page: the login expired', async () => {
    const { fetchFn } = fakeFetch({ status: 200, type: 'text/html;charset=UTF-8', body: null });
    const error = await rejection(createAdminApi(fetchFn).nodes());
    assert.equal(error.error, 'login-required');
    assert.equal(error.message, LOGIN_REQUIRED_MESSAGE);
  });

  test('an unreachable server and a bare 503 say so', async () => {
    const down = await rejection(createAdminApi(fakeFetch(new TypeError('Failed to fetch')).fetchFn).nodes());
    assert.equal(down.status, 0);
    assert.match(down.message, /could not be reached/);
    const bare = await rejection(createAdminApi(fakeFetch({ status: 503, type: 'text/plain' }).fetchFn).nodes());
    assert.equal(bare.message, 'The server answered 503.');
  });

  test('a 200 reads "done"', () => {
    assert.equal(commandOutcome('detach s1', { kind: 'detach' }), 'detach s1: done');
  });
});

describe('notice text', () => {
  test('1 to 1000 characters after trimming', () => {
    assert.equal(noticeText('  hi  '), 'hi');
    assert.equal(noticeText(''), null);
    assert.equal(noticeText('   '), null);
    assert.equal(noticeText(null), null, 'prompt cancelled');
    assert.equal(noticeText('x'.repeat(1000)).length, 1000);
    assert.equal(noticeText('x'.repeat(1001)), null);
  });
});
