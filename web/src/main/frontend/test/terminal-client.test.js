// TerminalClient against a scripted server: the user-visible promises of DESIGN.md ("a blip is a
// flicker, never a lost line", "a session that dies says why") played out message by message.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { BANNER, CONNECT_TIMEOUT_MS, STATUS } from '../src/terminal-client.js';
import { INPUT_FRAME_PAYLOAD } from '../src/protocol.js';
import { LoginRequiredError, TicketUnavailableError } from '../src/tickets.js';
import { ATTACHED, clientHarness, flush } from '../test-support/fakes.js';

const bytes = (text) => new TextEncoder().encode(text);

describe('connecting', () => {
  test('a new tab asks for a new session with a ticket, its size and offsets 0', async () => {
    const h = clientHarness();
    h.view.cols = 132;
    h.view.rows = 43;
    h.client.start();
    const socket = await h.opened();
    assert.equal(socket.binaryType, 'arraybuffer');
    assert.deepEqual(socket.texts(), [{
      type: 'hello', ticket: 'ticket-1', sessionId: null, resumeOffset: 0,
      clientId: 'c-first', inputOffset: 0, cols: 132, rows: 43,
    }]);
    assert.deepEqual(h.view.statuses, [STATUS.CONNECTING]);
  });

  test('a reloaded tab resumes its stored session from offset 0 and gets its screen back', async () => {
    const h = clientHarness({ storedSessionId: 's-1' });
    h.client.start();
    const socket = await h.opened();
    assert.equal(socket.texts('hello')[0].sessionId, 's-1');
    assert.equal(socket.texts('hello')[0].resumeOffset, 0);
    socket.receive({ ...ATTACHED, replayFrom: 0, head: 6 });
    socket.receiveOutput(0, '$ ls\r\n');
    assert.equal(h.view.output, '$ ls\r\n');
    assert.deepEqual(h.view.notes, []);
  });

  test('attached stores the session id, shows connected and exposes the state', async () => {
    const h = clientHarness();
    h.client.start();
    await h.attach({ sessionId: 's-new', node: 'node2' });
    assert.equal(h.store.id, 's-new');
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
    assert.deepEqual(h.client.state(), {
      status: 'connected', sessionId: 's-new', outputOffset: 0, attempts: 0, node: 'node2', inputOffset: 0,
    });
  });

  test('dropped output is said in the terminal', async () => {
    const h = clientHarness({ storedSessionId: 's-1' });
    h.client.start();
    await h.attach({ replayFrom: 524_288, head: 600_000, dropped: 524_288 });
    assert.equal(h.view.notes.length, 1);
    assert.match(h.view.notes[0], /dropped 524288 bytes/);
    assert.equal(h.client.state().outputOffset, 524_288);
  });

  test('an expired login sends the page to the login, without a socket', async () => {
    const h = clientHarness({
      requestTicket: async () => {
        throw new LoginRequiredError('401');
      },
    });
    h.client.start();
    await flush();
    assert.equal(h.view.loginRequests, 1);
    assert.equal(h.sockets.length, 0);
    assert.equal(h.view.statuses.at(-1), STATUS.ENDED);
    assert.equal(h.view.ending.loginRequired, true);
  });

  test('a ticket outage is retried with backoff', async () => {
    let fail = true;
    const h = clientHarness({
      requestTicket: async () => {
        if (fail) throw new TicketUnavailableError('503');
        return 'late-ticket';
      },
    });
    h.client.start();
    await flush();
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
    assert.equal(h.sockets.length, 0);
    fail = false;
    h.clock.advance(150);
    const socket = await h.opened();
    assert.equal(socket.texts('hello')[0].ticket, 'late-ticket');
  });

  test('a handshake that never produces attached is given up and retried', async () => {
    const h = clientHarness();
    h.client.start();
    const first = await h.opened();
    h.clock.advance(CONNECT_TIMEOUT_MS + 1000);
    assert.equal(first.closedWith.code, 4902);
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
    h.clock.advance(150);
    await flush();
    assert.equal(h.sockets.length, 2);
  });
});

describe('output and acks', () => {
  test('output goes to the terminal once, in order, and is acknowledged when drained', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    h.view.holdWrites = true;
    socket.receiveOutput(0, 'hello ');
    socket.receiveOutput(3, 'lo world'); // overlaps: "lo " already shown
    socket.receiveOutput(0, 'hel'); // wholly old
    assert.equal(h.view.output, 'hello world');
    assert.deepEqual(socket.texts('ack'), [], 'nothing processed yet');
    h.view.processPending();
    assert.deepEqual(socket.texts('ack'), [{ type: 'ack', offset: 11 }], 'one ack for the batch');
  });

  test('bulk output is acknowledged at least every half window even while the terminal lags', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach({ window: 100 });
    h.view.holdWrites = true;
    for (let offset = 0; offset < 100; offset += 20) socket.receiveOutput(offset, 'x'.repeat(20));
    const [first, second, third] = h.view.pending.splice(0, 3);
    first();
    second();
    assert.deepEqual(socket.texts('ack'), [], '40 < 50');
    third();
    assert.deepEqual(socket.texts('ack'), [{ type: 'ack', offset: 60 }]);
    h.view.processPending();
    assert.deepEqual(socket.texts('ack').map((m) => m.offset), [60, 100]);
  });

  test('UTF-8 split across frames reaches the terminal as raw bytes, undecoded', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    const written = [];
    h.view.write = (chunk, done) => {
      written.push([...chunk]);
      done();
    };
    const euro = bytes('€'); // e2 82 ac
    socket.receiveOutput(0, euro.subarray(0, 1));
    socket.receiveOutput(1, euro.subarray(1));
    assert.deepEqual(written, [[0xe2], [0x82, 0xac]]);
  });

  test('a gap in the output is a fault: the page reconnects and resumes where it was', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receiveOutput(0, 'abc');
    socket.receiveOutput(10, 'late');
    assert.equal(socket.closedWith.code, 4901);
    assert.equal(h.view.output, 'abc');
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
    h.clock.advance(150);
    const next = await h.opened();
    assert.equal(next.texts('hello')[0].resumeOffset, 3);
    assert.equal(next.texts('hello')[0].sessionId, 's-1');
  });

  test('resync skips ahead, says so, and acknowledges from the new start', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receiveOutput(0, 'abc');
    socket.receive({ type: 'resync', dropped: 997, from: 1000 });
    assert.match(h.view.notes[0], /dropped 997 bytes/);
    assert.equal(socket.texts('ack').at(-1).offset, 1000);
    socket.receiveOutput(1000, 'def');
    assert.equal(h.view.output, 'abcdef');
  });

  test('late write callbacks from an abandoned connection send no ack on the new one', async () => {
    const h = clientHarness();
    h.client.start();
    const first = await h.attach();
    h.view.holdWrites = true;
    first.receiveOutput(0, 'abc');
    first.serverClose(1006);
    h.clock.advance(150);
    const second = await h.attach({ replayFrom: 3 });
    h.view.processPending();
    assert.deepEqual(second.texts('ack'), []);
    assert.deepEqual(first.texts('ack'), []);
  });
});

describe('input', () => {
  test('keystrokes are framed with their stream offsets', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    h.client.input(bytes('ls'));
    h.client.input(bytes('\r'));
    assert.deepEqual(socket.frames(), [{ offset: 0, text: 'ls' }, { offset: 2, text: '\r' }]);
  });

  test('a large paste is split into frames within the limit', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    const paste = 'y'.repeat(INPUT_FRAME_PAYLOAD * 2 + 5);
    h.client.input(bytes(paste));
    const frames = socket.frames();
    assert.deepEqual(frames.map((f) => f.offset), [0, INPUT_FRAME_PAYLOAD, INPUT_FRAME_PAYLOAD * 2]);
    assert.equal(frames.map((f) => f.text).join(''), paste);
  });

  test('keystrokes during a blip are sent after the resume, from the server\'s mark, once', async () => {
    const h = clientHarness();
    h.client.start();
    const first = await h.attach();
    h.client.input(bytes('echo '));
    first.serverClose(1006);
    h.client.input(bytes('hi\r')); // typed while disconnected
    assert.equal(first.frames().length, 1);
    h.clock.advance(150);
    const second = await h.opened();
    assert.equal(second.texts('hello')[0].inputOffset, 8);
    assert.deepEqual(second.frames(), [], 'no input before attached');
    // The server applied the first frame before the blip.
    second.receive({ ...ATTACHED, inputAcked: 5 });
    assert.deepEqual(second.frames(), [{ offset: 5, text: 'hi\r' }]);
  });

  test('input the server no longer knows is reported to the user and never resent', async () => {
    const h = clientHarness();
    h.client.start();
    const first = await h.attach();
    h.client.input(bytes('echo '));
    first.serverClose(1006);
    h.client.input(bytes('hi\r'));
    h.clock.advance(150);
    const second = await h.opened();
    // The server forgot this page's mark: it takes the declared offset and says so.
    second.receive({ ...ATTACHED, inputAcked: 8, inputForgotten: true });
    assert.deepEqual(second.frames(), [], 'nothing is resent: the server cannot tell what it applied');
    assert.ok(
      h.view.notes.some((note) => note.startsWith('8 bytes of input typed while disconnected could not be confirmed')),
      h.view.notes.join('\n'),
    );
    h.client.input(bytes('x'));
    assert.deepEqual(second.frames(), [{ offset: 8, text: 'x' }], 'the stream goes on from there');
  });

  test('heartbeats from the server let the page forget acknowledged input', async () => {
    const h = clientHarness();
    h.client.start();
    const first = await h.attach();
    h.client.input(bytes('abcdef'));
    first.receive({ type: 'heartbeat', inputAcked: 6, head: 0 });
    first.serverClose(1006);
    h.clock.advance(150);
    const second = await h.attach({ inputAcked: 6 });
    assert.deepEqual(second.frames(), []);
  });

  test('a server that acknowledges input never typed is a fault', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receive({ type: 'heartbeat', inputAcked: 50, head: 0 });
    assert.equal(socket.closedWith.code, 4901);
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
  });

  test('resize is sent while attached and carried by the next hello otherwise', async () => {
    const h = clientHarness();
    h.client.start();
    const first = await h.attach();
    h.client.resize(90, 20);
    assert.deepEqual(first.texts('resize'), [{ type: 'resize', cols: 90, rows: 20 }]);
    first.serverClose(1006);
    h.view.cols = 70;
    h.view.rows = 10;
    h.client.resize(70, 10);
    h.clock.advance(150);
    const second = await h.opened();
    assert.equal(second.texts('hello')[0].cols, 70);
    assert.equal(second.texts('hello')[0].rows, 10);
  });
});

describe('replayed output never types', () => {
  // What xterm.js does: while it parses a query (DA1 "\x1b[c", OSC 11 "\x1b]11;?\x07"), it
  // answers through onData, which the page hands to client.input like a keystroke.
  const DA1_REPLY = '\x1b[?1;2c';

  test('replies produced while the replay is parsed are dropped; later keystrokes go out', async () => {
    const h = clientHarness({ storedSessionId: 's-1' });
    h.client.start();
    const socket = await h.opened();
    h.view.holdWrites = true;
    socket.receive({ ...ATTACHED, replayFrom: 0, head: 9 });
    socket.receiveOutput(0, '$ \x1b[c\r\n$ ');
    assert.equal(h.client.replaying, true);
    h.client.input(bytes(DA1_REPLY)); // xterm answering the replayed query
    assert.deepEqual(socket.frames(), []);
    h.view.processPending();
    assert.equal(h.client.replaying, false);
    h.client.input(bytes('ls\r'));
    assert.deepEqual(socket.frames(), [{ offset: 0, text: 'ls\r' }], 'the reply took no offset');
  });

  test('a query arriving live is answered', async () => {
    const h = clientHarness({ storedSessionId: 's-1' });
    h.client.start();
    const socket = await h.opened();
    h.view.holdWrites = true;
    socket.receive({ ...ATTACHED, replayFrom: 0, head: 2 });
    socket.receiveOutput(0, '$ ');
    h.view.processPending();
    socket.receiveOutput(2, '\x1b[c'); // vim starting now asks
    assert.equal(h.client.replaying, false);
    h.client.input(bytes(DA1_REPLY));
    assert.deepEqual(socket.frames(), [{ offset: 0, text: DA1_REPLY }]);
  });

  test('a frame across the head is split: its replayed part parses first, then the live part', async () => {
    const h = clientHarness({ storedSessionId: 's-1' });
    h.client.start();
    const socket = await h.opened();
    h.view.holdWrites = true;
    socket.receive({ ...ATTACHED, replayFrom: 0, head: 3 });
    socket.receiveOutput(0, '\x1b[c\x1b[c');
    assert.equal(h.view.output, '\x1b[c\x1b[c');
    const [replayed, live] = h.view.pending.splice(0, 2);
    h.client.input(bytes(DA1_REPLY));
    replayed();
    h.client.input(bytes(DA1_REPLY));
    live();
    assert.deepEqual(socket.frames(), [{ offset: 0, text: DA1_REPLY }], 'only the live reply');
    assert.deepEqual(socket.texts('ack'), [{ type: 'ack', offset: 6 }]);
  });

  test('each reconnect replays only what lies below its own head', async () => {
    const h = clientHarness({ storedSessionId: 's-1' });
    h.client.start();
    const first = await h.opened();
    first.receive({ ...ATTACHED, replayFrom: 0, head: 2 });
    first.receiveOutput(0, '$ ');
    first.serverClose(1006);
    h.clock.advance(150);
    const second = await h.opened();
    h.view.holdWrites = true;
    second.receive({ ...ATTACHED, replayFrom: 2, head: 5 });
    second.receiveOutput(2, '\x1b[c');
    h.client.input(bytes(DA1_REPLY));
    h.view.processPending();
    second.receiveOutput(5, '\x1b[c');
    h.client.input(bytes(DA1_REPLY));
    assert.deepEqual(second.frames(), [{ offset: 0, text: DA1_REPLY }]);
  });
});

describe('resize on attach', () => {
  test('a resize between hello and attached is sent once attached', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.opened();
    h.view.cols = 60;
    h.client.resize(60, 30);
    assert.deepEqual(socket.texts('resize'), [], 'not before attached');
    socket.receive(ATTACHED);
    assert.deepEqual(socket.texts('resize'), [{ type: 'resize', cols: 60, rows: 30 }]);
  });

  test('no resize on attach when the hello size still holds', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    assert.deepEqual(socket.texts('resize'), []);
  });
});

describe('heartbeats', () => {
  test('the page sends a heartbeat every interval', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach({ heartbeatMillis: 2000 });
    h.clock.advance(1999);
    assert.equal(socket.texts('heartbeat').length, 0);
    socket.receive({ type: 'heartbeat', inputAcked: 0, head: 0 }); // keep it alive
    h.clock.advance(1);
    h.clock.advance(2000);
    assert.equal(socket.texts('heartbeat').length, 2);
  });

  test('three silent intervals mean the connection is dead: drop it and resume', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach({ heartbeatMillis: 1000 });
    socket.receiveOutput(0, 'abc');
    h.clock.advance(2900);
    assert.equal(socket.closedWith, null, 'not yet three intervals');
    h.clock.advance(200);
    assert.equal(socket.closedWith.code, 4900);
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
    h.clock.advance(150);
    const next = await h.opened();
    assert.equal(next.texts('hello')[0].resumeOffset, 3);
  });

  test('typed input that hears nothing back for 3 s means a dead link: keystrokes queued, reconnect', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach({ heartbeatMillis: 60_000 });
    h.client.input(bytes('ls\r'));
    h.clock.advance(1000);
    assert.equal(socket.texts('heartbeat').length, 1, 'after 1 s of silence it asks for a heartbeat');
    h.clock.advance(1900);
    assert.equal(socket.closedWith, null, 'not yet 3 s');
    h.clock.advance(200);
    assert.equal(socket.closedWith.code, 4900);
    assert.match(h.view.banners.get(BANNER.RECONNECT).text, /keystrokes are queued/);
    h.clock.advance(150);
    const next = await h.opened();
    next.receive({ ...ATTACHED, inputAcked: 0 });
    assert.deepEqual(next.frames(), [{ offset: 0, text: 'ls\r' }], 'the queued keystrokes go out once back');
    assert.equal(h.view.banners.get(BANNER.RECONNECT), undefined);
  });

  test('an answer to typed input, even a heartbeat, keeps the link', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach({ heartbeatMillis: 60_000 });
    h.client.input(bytes('secret'));
    h.clock.advance(1000);
    socket.receive({ type: 'heartbeat', inputAcked: 6, head: 0 }); // the answer to the probe
    h.clock.advance(5000);
    assert.equal(socket.closedWith, null);
  });

  test('output counts as life', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach({ heartbeatMillis: 1000 });
    for (let i = 0; i < 10; i += 1) {
      h.clock.advance(900);
      socket.receiveOutput(i, 'x');
    }
    assert.equal(socket.closedWith, null);
  });

  test('waking up after a long sleep checks at once', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach({ heartbeatMillis: 10_000 });
    // Timers did not run while the laptop slept; the clock moved on.
    h.clock.now += 120_000;
    h.client.wake();
    assert.equal(socket.closedWith.code, 4900);
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
  });

  test('waking up during a reconnect wait retries at once', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.serverClose(1006);
    h.clock.advance(150);
    (await h.opened()).serverClose(1006); // attempt 1 failed; attempt 2 waits 800 ms
    assert.equal(h.sockets.length, 2);
    h.client.wake();
    await flush();
    assert.equal(h.sockets.length, 3);
  });
});

describe('reconnecting', () => {
  test('the first retry is quick and quiet; the banner comes from the second attempt on', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.serverClose(1006);
    assert.equal(h.view.statuses.at(-1), STATUS.RECONNECTING);
    assert.equal(h.view.banners.has(BANNER.RECONNECT), false);
    assert.deepEqual(h.clock.pendingTimeouts(), [150]);
    assert.equal(h.client.state().attempts, 1);

    h.clock.advance(150);
    (await h.opened()).serverClose(1006);
    assert.equal(h.client.state().attempts, 2);
    assert.deepEqual(h.clock.pendingTimeouts(), [800]);
    assert.equal(h.view.banners.get(BANNER.RECONNECT).text, 'Reconnecting in 1 s…');
    assert.equal(h.view.banners.get(BANNER.RECONNECT).action.label, 'Retry now');

    h.clock.advance(800);
    (await h.opened()).serverClose(1006);
    assert.equal(h.view.banners.get(BANNER.RECONNECT).text, 'Reconnecting in 2 s…');

    h.clock.advance(1600);
    await h.attach();
    assert.equal(h.view.banners.has(BANNER.RECONNECT), false);
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
    assert.ok(!h.view.statuses.includes(STATUS.ENDED));
  });

  test('the banner counts down to the next attempt', async () => {
    const h = clientHarness();
    h.client.start();
    (await h.attach()).serverClose(1006);
    for (let i = 0; i < 4; i += 1) {
      h.clock.advance(h.clock.pendingTimeouts()[0]);
      (await h.opened()).serverClose(1006);
    }
    assert.deepEqual(h.clock.pendingTimeouts(), [6400]);
    assert.equal(h.view.banners.get(BANNER.RECONNECT).text, 'Reconnecting in 7 s…');
    h.clock.advance(6399);
    assert.equal(h.view.banners.get(BANNER.RECONNECT).text, 'Reconnecting in 1 s…');
    h.clock.advance(1);
    assert.equal(h.view.banners.get(BANNER.RECONNECT).text, 'Reconnecting…');
  });

  test('"Retry now" does nothing unless the page is waiting', async () => {
    const h = clientHarness();
    h.client.start();
    await h.attach();
    h.client.retryNow();
    await flush();
    assert.equal(h.sockets.length, 1);
  });

  test('"Retry now" skips the wait', async () => {
    const h = clientHarness();
    h.client.start();
    (await h.attach()).serverClose(1006);
    h.clock.advance(150);
    (await h.opened()).serverClose(1006);
    h.view.banners.get(BANNER.RECONNECT).action.run();
    await flush();
    assert.equal(h.sockets.length, 3);
  });

  for (const code of [1001, 1006, 1011, 4007, 4011, 4021]) {
    test(`close ${code} reconnects to the same session`, async () => {
      const h = clientHarness();
      h.client.start();
      const socket = await h.attach();
      socket.receiveOutput(0, 'abcd');
      socket.serverClose(code);
      h.clock.advance(150);
      const next = await h.opened();
      assert.equal(next.texts('hello')[0].sessionId, 's-1');
      assert.equal(next.texts('hello')[0].resumeOffset, 4);
    });
  }

  test('a session healthy for a minute earns the quick retry again', async () => {
    const h = clientHarness();
    h.client.start();
    (await h.attach()).serverClose(1006);
    h.clock.advance(150);
    (await h.opened()).serverClose(1006);
    h.clock.advance(800);
    const healthy = await h.attach({ heartbeatMillis: 100_000 });
    h.clock.advance(60_000);
    healthy.serverClose(1006);
    assert.deepEqual(h.clock.pendingTimeouts(), [150]);
    assert.equal(h.view.banners.has(BANNER.RECONNECT), false);
  });

  test('a session that dropped again quickly keeps backing off', async () => {
    const h = clientHarness();
    h.client.start();
    (await h.attach()).serverClose(1006);
    h.clock.advance(150);
    const brief = await h.attach();
    h.clock.advance(5000);
    brief.serverClose(1006);
    assert.deepEqual(h.clock.pendingTimeouts(), [800]);
    assert.ok(h.view.banners.has(BANNER.RECONNECT));
  });

  test('events from a socket already given up on are ignored', async () => {
    const h = clientHarness();
    h.client.start();
    const first = await h.attach({ heartbeatMillis: 1000 });
    const staleMessage = first.onmessage;
    const staleClose = first.onclose;
    h.clock.advance(3100); // declared dead
    h.clock.advance(150);
    const second = await h.attach();
    staleMessage({ data: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0x7a]).buffer });
    staleClose({ code: 4009 });
    assert.equal(h.view.output, '');
    assert.equal(second.closedWith, null);
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
  });
});

describe('the end of a session', () => {
  test('exit then 4006: the sentence names the exit code, the session is forgotten', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receiveOutput(0, 'bye\r\n');
    socket.receive({ type: 'exit', code: 3 });
    socket.serverClose(4006, 'shell exited');
    assert.equal(h.view.statuses.at(-1), STATUS.ENDED);
    assert.deepEqual(h.view.ending, { code: 4006, sentence: 'The shell exited with code 3.', canReattach: false, loginRequired: false, tone: 'error' });
    assert.equal(h.store.id, null, 'a reload starts a new session');
    assert.deepEqual(h.clock.pendingTimeouts(), [], 'no reconnect');
  });

  test('after exit, a close that lost its frame still reads as the shell exiting', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receive({ type: 'exit', code: 0 });
    socket.serverClose(1006);
    assert.equal(h.view.ending.sentence, 'The shell exited with code 0.');
  });

  for (const { code, sentence, keepsSession, canReattach } of [
    { code: 4008, sentence: 'The session was closed after being idle too long.', keepsSession: false, canReattach: false },
    { code: 4009, sentence: 'The session was ended by an administrator.', keepsSession: false, canReattach: false },
    { code: 4020, sentence: 'The session was ended by its user.', keepsSession: false, canReattach: false },
    { code: 4010, sentence: 'The server that ran this session was lost.', keepsSession: false, canReattach: false },
    { code: 4014, sentence: 'The server is shutting down.', keepsSession: false, canReattach: false },
    { code: 4013, sentence: 'An administrator detached this page.', keepsSession: true, canReattach: true },
    { code: 4015, sentence: 'This page was replaced by a newer connection of the same client.', keepsSession: true, canReattach: true },
    { code: 4003, sentence: 'That session belongs to another user.', keepsSession: false, canReattach: false },
    { code: 4005, sentence: 'A message was larger than the protocol allows.', keepsSession: true, canReattach: true },
  ]) {
    test(`close ${code} ends the page and says why`, async () => {
      const h = clientHarness();
      h.client.start();
      const socket = await h.attach();
      socket.serverClose(code);
      assert.equal(h.view.statuses.at(-1), STATUS.ENDED);
      assert.equal(h.view.ending.sentence, sentence);
      assert.equal(h.view.ending.code, code);
      assert.equal(h.view.ending.canReattach, canReattach);
      assert.equal(h.store.id, keepsSession ? 's-1' : null);
      assert.deepEqual(h.clock.pendingTimeouts(), []);
      h.clock.advance(60_000);
      assert.equal(h.sockets.length, 1, 'no reconnect');
    });
  }

  test('4004 on a reload: the old session is gone, the stored id forgotten', async () => {
    const h = clientHarness({ storedSessionId: 's-old' });
    h.client.start();
    (await h.opened()).serverClose(4004);
    assert.equal(h.view.ending.sentence, 'That session no longer exists.');
    assert.equal(h.view.ending.canReattach, false);
    assert.equal(h.store.id, null);
  });

  test('4001 is retried once with a fresh ticket, silently', async () => {
    const h = clientHarness({ storedSessionId: 's-1' });
    h.client.start();
    (await h.opened()).serverClose(4001);
    assert.ok(!h.view.statuses.includes(STATUS.ENDED));
    const retry = await h.opened();
    assert.equal(retry.texts('hello')[0].ticket, 'ticket-2');
    retry.serverClose(4001);
    assert.equal(h.view.statuses.at(-1), STATUS.ENDED);
    assert.equal(h.view.ending.sentence, 'Your ticket was invalid, already used or expired.');
  });

  test('the 4001 retry is granted again after a successful attach', async () => {
    const h = clientHarness();
    h.client.start();
    (await h.opened()).serverClose(4001);
    const attached = await h.attach();
    attached.serverClose(1006);
    h.clock.advance(150);
    (await h.opened()).serverClose(4001);
    assert.notEqual(h.view.statuses.at(-1), STATUS.ENDED);
  });

  test('Reattach after 4013 resumes the same session where the page was', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receiveOutput(0, 'abcdef');
    h.client.input(bytes('q'));
    socket.serverClose(4013);
    h.client.input(bytes('ignored'));
    h.client.reattach();
    assert.equal(h.view.ending, null);
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTING);
    const next = await h.opened();
    assert.deepEqual(next.texts('hello')[0], {
      type: 'hello', ticket: 'ticket-2', sessionId: 's-1', resumeOffset: 6,
      clientId: 'c-first', inputOffset: 1, cols: 100, rows: 30,
    });
  });

  test('"Start a new session" begins afresh: clean terminal, no session id, new input stream', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receiveOutput(0, 'old output');
    h.client.input(bytes('typed'));
    socket.serverClose(4009);
    h.client.newSession();
    assert.equal(h.view.resets, 1);
    assert.equal(h.view.ending, null);
    const next = await h.opened();
    assert.deepEqual(next.texts('hello')[0], {
      type: 'hello', ticket: 'ticket-2', sessionId: null, resumeOffset: 0,
      clientId: 'c-next-1', inputOffset: 0, cols: 100, rows: 30,
    });
    next.receive({ ...ATTACHED, sessionId: 's-2' });
    assert.equal(h.store.id, 's-2');
    assert.deepEqual(h.client.state().outputOffset, 0);
  });

  test('typing after the end goes nowhere', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.serverClose(4009);
    h.client.input(bytes('x'));
    assert.equal(h.client.state().inputOffset, 0);
  });
});

describe('notices', () => {
  test('an idle warning counts down and any keystroke hides it', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receive({ type: 'notice', kind: 'idle-warning', message: 'Idle: this session ends in 60 s unless you type.', secondsLeft: 60 });
    assert.equal(h.view.banners.get(BANNER.IDLE).text, 'Idle: this session ends in 60 s unless you type.');
    h.clock.advance(5000);
    assert.equal(h.view.banners.get(BANNER.IDLE).text, 'Idle: this session ends in 55 s unless you type.');
    h.client.input(bytes('a'));
    assert.equal(h.view.banners.has(BANNER.IDLE), false);
  });

  test('idle-cleared hides the warning', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receive({ type: 'notice', kind: 'idle-warning', message: 'm', secondsLeft: 30 });
    socket.receive({ type: 'notice', kind: 'idle-cleared', message: 'Welcome back.' });
    assert.equal(h.view.banners.has(BANNER.IDLE), false);
  });

  test('a broadcast shows until dismissed', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receive({ type: 'notice', kind: 'broadcast', message: 'Maintenance at 18:00.', from: 'root' });
    const banner = h.view.banners.get(BANNER.BROADCAST);
    assert.equal(banner.text, 'Notice from administrator root: Maintenance at 18:00.');
    h.clock.advance(20_000);
    assert.ok(h.view.banners.has(BANNER.BROADCAST));
    banner.dismiss();
    assert.equal(h.view.banners.has(BANNER.BROADCAST), false);
    socket.receive({ type: 'notice', kind: 'broadcast', message: 'Maintenance at 18:00.' });
    assert.ok(h.view.banners.has(BANNER.BROADCAST), 'the same message again shows again');
  });

  test('who observes shows until the last observer leaves, and no notice outlives the session', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receive({ type: 'notice', kind: 'observed', message: 'An administrator (admin) is watching this session, read-only.' });
    assert.equal(h.view.banners.get(BANNER.OBSERVED).text, 'An administrator (admin) is watching this session, read-only.');
    assert.equal(h.view.banners.get(BANNER.OBSERVED).dismiss, undefined, 'not dismissable while it holds');
    socket.receive({ type: 'notice', kind: 'unobserved', message: 'No administrator is watching this session now.' });
    assert.equal(h.view.banners.has(BANNER.OBSERVED), false);

    socket.receive({ type: 'notice', kind: 'observed', message: 'An administrator (admin) is watching this session, read-only.' });
    socket.receive({ type: 'notice', kind: 'broadcast', message: 'Bye.' });
    socket.receive({ type: 'exit', code: 0 });
    socket.serverClose(4006);
    assert.equal(h.view.banners.has(BANNER.OBSERVED), false);
    assert.equal(h.view.banners.has(BANNER.BROADCAST), false);
    assert.equal(h.view.ending.tone, 'ok');
  });

  test('unknown message types are ignored', async () => {
    const h = clientHarness();
    h.client.start();
    const socket = await h.attach();
    socket.receive({ type: 'something-new', x: 1 });
    assert.match(h.warnings[0], /something-new/);
    assert.equal(socket.closedWith, null);
    assert.equal(h.view.statuses.at(-1), STATUS.CONNECTED);
  });
});
