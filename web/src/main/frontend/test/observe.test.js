// Observe mode (index.html?observe=<id>): an admin watches another user's session read-only. The
// promises: the hello asks to observe, nothing typed or resized ever leaves the page, the tab's own
// stored session is never touched, and reconnects resume like any other connection.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CLOSE_CODES, closeSentence, helloMessage } from '../src/protocol.js';
import { BANNER, STATUS } from '../src/terminal-client.js';
import { ATTACHED, clientHarness } from '../test-support/fakes.js';

const bytes = (text) => new TextEncoder().encode(text);
const OBSERVED = { ...ATTACHED, sessionId: 's-watched', observer: true };

describe('the observing hello', () => {
  const fields = { ticket: 't', sessionId: 's-9', resumeOffset: 0, clientId: 'c-1', inputOffset: 0, cols: 80, rows: 24 };

  test('carries "observe": true after the usual members', () => {
    assert.deepEqual(JSON.parse(helloMessage({ ...fields, observe: true })), {
      type: 'hello', ticket: 't', sessionId: 's-9', resumeOffset: 0, clientId: 'c-1',
      inputOffset: 0, cols: 80, rows: 24, observe: true,
    });
  });

  test('an ordinary hello has no observe member at all', () => {
    assert.equal('observe' in JSON.parse(helloMessage(fields)), false);
    assert.equal('observe' in JSON.parse(helloMessage({ ...fields, observe: false })), false);
  });

  test('observing needs a session to observe', () => {
    assert.throws(() => helloMessage({ ...fields, sessionId: null, observe: true }), TypeError);
  });
});

describe('close 4016', () => {
  test('read-only ends the page with its sentence and does not reconnect', () => {
    assert.deepEqual({ ...CLOSE_CODES[4016] }, {
      name: 'read-only',
      session: 'unchanged',
      reconnect: false,
      sentence: 'This connection only observes the session; it cannot type.',
      reattach: false,
      forget: false,
    });
    assert.equal(closeSentence(4016), 'This connection only observes the session; it cannot type.');
  });
});

describe('an observing client', () => {
  test('says hello for the observed session from offset 0 with its own clientId', async () => {
    const h = clientHarness({ storedSessionId: 's-mine', observe: 's-watched' });
    h.client.start();
    const socket = await h.opened();
    assert.deepEqual(socket.texts(), [{
      type: 'hello', ticket: 'ticket-1', sessionId: 's-watched', resumeOffset: 0,
      clientId: 'c-first', inputOffset: 0, cols: 100, rows: 30, observe: true,
    }]);
    assert.equal(h.client.observing, true);
  });

  test('never reads, writes or clears the tab\'s stored session', async () => {
    const h = clientHarness({ storedSessionId: 's-mine', observe: 's-watched' });
    h.client.start();
    const socket = await h.attach(OBSERVED);
    socket.serverClose(4009);
    assert.equal(h.view.statuses.at(-1), STATUS.ENDED);
    assert.deepEqual(h.store.calls, []);
    assert.equal(h.store.id, 's-mine');
  });

  test('shows output and acknowledges it, sends heartbeats, but never input or resize', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.attach(OBSERVED);
    socket.receiveOutput(0, '$ top\r\n');
    assert.equal(h.view.output, '$ top\r\n');
    assert.deepEqual(socket.texts('ack'), [{ type: 'ack', offset: 7 }]);

    h.client.input(bytes('rm -rf /\r'));
    h.client.input(new Uint8Array([0x1b]));
    h.client.resize(200, 60);
    h.clock.advance(10_000);

    assert.deepEqual(socket.frames(), [], 'no input frame');
    assert.deepEqual(socket.texts('resize'), [], 'no resize');
    assert.equal(socket.texts('heartbeat').length, 1);
    assert.equal(h.client.state().inputOffset, 0);
  });

  test('a window resized before attached sends no resize on attach either', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.opened();
    h.view.cols = 150;
    h.client.resize(150, 30);
    socket.receive(OBSERVED);
    assert.deepEqual(socket.texts('resize'), []);
  });

  test('reconnects like any page: resumes the observed session at its offset, still observing', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const first = await h.attach(OBSERVED);
    first.receiveOutput(0, 'abcdef');
    first.serverClose(1006);
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
    h.client.input(bytes('typed while away'));
    h.clock.advance(150);
    const second = await h.opened();
    const hello = second.texts('hello')[0];
    assert.equal(hello.sessionId, 's-watched');
    assert.equal(hello.resumeOffset, 6);
    assert.equal(hello.observe, true);
    assert.equal(hello.inputOffset, 0);
    second.receive({ ...OBSERVED, replayFrom: 6, head: 6 });
    assert.deepEqual(second.frames(), [], 'nothing typed while away is sent');
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
  });

  test('a refusal ends the page with the usual sentence', async () => {
    for (const [code, sentence] of [
      [4003, 'Observing a session needs the admin role.'],
      [4004, 'That session no longer exists.'],
      [4016, 'This connection only observes the session; it cannot type.'],
    ]) {
      const h = clientHarness({ observe: 's-watched' });
      h.client.start();
      (await h.opened()).serverClose(code);
      assert.equal(h.view.ending.sentence, sentence);
      assert.equal(h.view.statuses.at(-1), STATUS.ENDED);
      h.clock.advance(60_000);
      assert.equal(h.sockets.length, 1, `no reconnect after ${code}`);
    }
  });

  test('"new session" does nothing: an observer has no session of its own', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.attach(OBSERVED);
    socket.serverClose(4009);
    h.client.newSession();
    assert.equal(h.sockets.length, 1);
    assert.equal(h.view.resets, 0);
  });

  test('the idle countdown does not ask the observer to type', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.attach(OBSERVED);
    socket.receive({ type: 'notice', kind: 'idle-warning', message: 'm', secondsLeft: 30 });
    assert.equal(h.view.banners.get(BANNER.IDLE).text, 'Idle: this session ends in 30 s unless its user types.');
  });

  test('draws the screen at the observed terminal\'s size, from attached and every size message', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.attach({ ...OBSERVED, cols: 132, rows: 43 });
    assert.deepEqual(h.view.sessionSizes, ['132x43']);
    socket.receive({ type: 'size', cols: 200, rows: 50 });
    assert.deepEqual(h.view.sessionSizes, ['132x43', '200x50']);
    assert.deepEqual(socket.texts('resize'), [], 'and says nothing back');
  });

  test('a page that does not observe ignores size messages', async () => {
    const h = clientHarness({});
    h.client.start();
    const socket = await h.attach({ ...ATTACHED, cols: 132, rows: 43 });
    socket.receive({ type: 'size', cols: 200, rows: 50 });
    assert.deepEqual(h.view.sessionSizes, []);
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
  });

  test('an attached without observer: true is only logged', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    await h.attach({ ...ATTACHED, sessionId: 's-watched' });
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
    assert.match(h.warnings[0], /observer/);
  });
});

describe('observing by consent (tether.observe.policy=consent)', () => {
  const REQUEST = { type: 'observe-request', requestId: 'r-1', admin: 'root', secondsLeft: 30 };

  test('the user is asked, names the administrator, and the answer goes to the server once', async () => {
    const h = clientHarness({});
    h.client.start();
    const socket = await h.attach();
    socket.receive(REQUEST);
    const prompt = h.view.banners.get(BANNER.CONSENT);
    assert.match(prompt.text, /^Administrator root asks to watch this session/);
    assert.deepEqual(prompt.actions.map((a) => a.label), ['Allow', 'Decline']);

    prompt.actions[1].run();
    prompt.actions[1].run(); // a second click answers nothing more
    assert.deepEqual(socket.texts('observe-answer'), [{ type: 'observe-answer', requestId: 'r-1', accept: false }]);
    assert.equal(h.view.banners.has(BANNER.CONSENT), false);
  });

  test('another tab\'s answer (observe-request-over) takes the prompt down here too', async () => {
    const h = clientHarness({});
    h.client.start();
    const socket = await h.attach();
    socket.receive(REQUEST);
    socket.receive({ ...REQUEST, requestId: 'r-2', admin: 'eve' });
    socket.receive({ type: 'observe-request-over', requestId: 'r-1', outcome: 'accepted' });
    assert.match(h.view.banners.get(BANNER.CONSENT).text, /^Administrator eve asks/);
    h.view.banners.get(BANNER.CONSENT).actions[0].run();
    assert.deepEqual(socket.texts('observe-answer'), [{ type: 'observe-answer', requestId: 'r-2', accept: true }]);
  });

  test('an observing page never answers a request', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.attach(OBSERVED);
    socket.receive(REQUEST);
    h.client.answerObserveRequest('r-1', true);
    assert.equal(h.view.banners.has(BANNER.CONSENT), false);
    assert.deepEqual(socket.texts('observe-answer'), []);
  });

  test('an observer waits for the answer beyond the connect timeout, then attaches', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.opened();
    socket.receive({ type: 'awaiting-consent', user: 'alice', secondsLeft: 30 });
    assert.match(h.view.banners.get(BANNER.CONSENT).text, /^Waiting for alice to agree/);
    h.clock.advance(25_000); // past the 15 s connect timeout, within the user's 30 s
    assert.equal(h.sockets.length, 1, 'still waiting on the same connection');
    socket.receive(OBSERVED);
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
    assert.equal(h.view.banners.has(BANNER.CONSENT), false);
  });

  test('a refusal (4019) ends the page with the server\'s reason and does not reconnect', async () => {
    const h = clientHarness({ observe: 's-watched' });
    h.client.start();
    const socket = await h.opened();
    socket.receive({ type: 'awaiting-consent', user: 'alice', secondsLeft: 30 });
    socket.serverClose(4019, 'alice declined to be observed.');
    assert.equal(h.view.ending.sentence, 'alice declined to be observed.');
    assert.equal(h.view.statuses.at(-1), STATUS.ENDED);
    h.clock.advance(60_000);
    assert.equal(h.sockets.length, 1);
  });
});
