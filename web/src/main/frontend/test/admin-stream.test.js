// The console's event stream against a scripted EventSource: when to rebuild, resuming without a
// rebuild, and a new EventSource (resuming with `after`) when the browser gives up.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ReconnectBackoff } from '../src/backoff.js';
import { AdminEventStream, STREAM_STATE, withAfter } from '../src/admin-stream.js';
import { FakeClock } from '../test-support/fakes.js';

class FakeEventSource {
  readyState = 0;
  listeners = new Map();
  onerror = null;
  closed = false;

  constructor(url) {
    this.url = url;
  }

  addEventListener(type, fn) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }

  emit(type, id, data) {
    this.readyState = 1;
    for (const fn of this.listeners.get(type) ?? []) fn({ type, lastEventId: id, data: JSON.stringify(data) });
  }

  /** The connection dropped; `fatal`: the browser gives up (CLOSED) instead of retrying. */
  fail(fatal = false) {
    this.readyState = fatal ? 2 : 0;
    this.onerror?.({});
  }

  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

function harness() {
  const clock = new FakeClock();
  const sources = [];
  const log = [];
  const stream = new AdminEventStream({
    url: 'api/admin/events/stream',
    createEventSource: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source;
    },
    handlers: {
      status: (state) => log.push(`status ${state}`),
      rebuild: () => log.push('rebuild'),
      session: (event) => log.push(`session ${event.seq}`),
    },
    timers: clock.timers,
    backoff: new ReconnectBackoff({ now: () => clock.now, random: () => 0.5 }),
    logger: { warn: () => {} },
  });
  return { stream, clock, sources, log, get source() { return sources.at(-1); } };
}

describe('the admin event stream', () => {
  test('the first ready starts from now: rebuild after it, then events flow', () => {
    const h = harness();
    h.stream.start();
    assert.equal(h.source.url, 'api/admin/events/stream');
    h.source.emit('ready', '41@ep', { node: 'node1', epoch: 'ep', seq: 41 });
    h.source.emit('session', '42@ep', { seq: 42, type: 'opened' });
    assert.deepEqual(h.log, ['status connecting', 'status live', 'rebuild', 'session 42']);
    assert.equal(h.stream.position, '42@ep');
  });

  test('a browser reconnect answered by ready resumes without a rebuild', () => {
    const h = harness();
    h.stream.start();
    h.source.emit('ready', '41@ep', {});
    h.source.fail();
    assert.equal(h.stream.state, STREAM_STATE.RECONNECTING);
    h.source.emit('ready', '41@ep', {});
    assert.deepEqual(h.log, ['status connecting', 'status live', 'rebuild', 'status reconnecting', 'status live']);
    assert.equal(h.sources.length, 1, 'the browser reconnected the same EventSource');
  });

  test('reset always rebuilds, also in the middle of a stream', () => {
    const h = harness();
    h.stream.start();
    h.source.emit('ready', '41@ep', {});
    h.source.emit('session', '42@ep', { seq: 42 });
    h.source.emit('reset', '7@other', {});
    h.source.emit('session', '8@other', { seq: 8 });
    assert.deepEqual(h.log.filter((l) => !l.startsWith('status')), ['rebuild', 'session 42', 'rebuild', 'session 8']);
  });

  test('when the browser gives up, a new EventSource resumes with after=<position>', () => {
    const h = harness();
    h.stream.start();
    h.source.emit('ready', '41@ep', {});
    h.source.emit('session', '42@ep', { seq: 42 });
    const first = h.source;
    first.fail(true);
    assert.equal(first.closed, true);
    assert.equal(h.sources.length, 1);
    h.clock.advance(150);
    assert.equal(h.sources.length, 2);
    assert.equal(h.source.url, 'api/admin/events/stream?after=42%40ep');
    first.emit('session', '43@ep', { seq: 43 });
    assert.ok(!h.log.includes('session 43'), 'a given-up source is ignored');
    h.source.emit('ready', '42@ep', {});
    assert.equal(h.log.filter((l) => l === 'rebuild').length, 1);
  });

  test('stop ends reconnecting for good', () => {
    const h = harness();
    h.stream.start();
    h.source.fail(true);
    h.stream.stop();
    h.clock.advance(60_000);
    assert.equal(h.sources.length, 1);
  });

  test('withAfter keeps other parameters', () => {
    assert.equal(withAfter('x/stream?a=1', '5@e'), 'x/stream?a=1&after=5%40e');
  });
});
