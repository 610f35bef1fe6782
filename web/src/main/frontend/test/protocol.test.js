import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  INPUT_FRAME_PAYLOAD,
  MAX_FRAME_PAYLOAD,
  ProtocolError,
  ackMessage,
  clampTerminalSize,
  closeSentence,
  decodeFrame,
  encodeFrame,
  heartbeatMessage,
  helloMessage,
  isClientId,
  newClientId,
  parseServerMessage,
  reconnectsAfter,
  resizeMessage,
  splitIntoFrames,
  terminalSocketUrl,
} from '../src/protocol.js';

const bytes = (text) => new TextEncoder().encode(text);

describe('binary frames', () => {
  for (const offset of [0, 1, 255, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40 + 123, Number.MAX_SAFE_INTEGER]) {
    test(`round trip at offset ${offset}`, () => {
      const payload = bytes('héllo');
      const frame = encodeFrame(offset, payload);
      assert.equal(frame.length, 8 + payload.length);
      const decoded = decodeFrame(frame.buffer);
      assert.equal(decoded.offset, offset);
      assert.deepEqual(decoded.payload, payload);
    });
  }

  test('the offset is 8 bytes, unsigned, big-endian', () => {
    const frame = encodeFrame(0x01_02_03_04_05_06, bytes('A'));
    assert.deepEqual([...frame], [0, 0, 1, 2, 3, 4, 5, 6, 65]);
    const above4G = encodeFrame(2 ** 32 + 2, new Uint8Array(0));
    assert.deepEqual([...above4G], [0, 0, 0, 1, 0, 0, 0, 2]);
  });

  for (const size of [0, 1, MAX_FRAME_PAYLOAD]) {
    test(`payload of ${size} bytes round-trips`, () => {
      const payload = new Uint8Array(size).map((_, i) => i % 251);
      assert.deepEqual(decodeFrame(encodeFrame(7, payload)).payload, payload);
    });
  }

  test('decodes from a view into a larger buffer', () => {
    const outer = new Uint8Array(20);
    outer.set(encodeFrame(2 ** 33, bytes('xy')), 5);
    const decoded = decodeFrame(outer.subarray(5, 15));
    assert.equal(decoded.offset, 2 ** 33);
    assert.equal(new TextDecoder().decode(decoded.payload), 'xy');
  });

  for (const { name, frame } of [
    { name: 'shorter than the offset', frame: new Uint8Array(7) },
    { name: 'empty', frame: new Uint8Array(0) },
    { name: 'larger than the limit', frame: new Uint8Array(8 + MAX_FRAME_PAYLOAD + 1) },
    { name: 'an offset beyond 2^53', frame: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) },
  ]) {
    test(`decode rejects a frame ${name}`, () => {
      assert.throws(() => decodeFrame(frame.buffer), ProtocolError);
    });
  }

  for (const offset of [-1, 0.5, Number.NaN, 2 ** 53, '3']) {
    test(`encode rejects offset ${String(offset)}`, () => {
      assert.throws(() => encodeFrame(offset, bytes('x')), RangeError);
    });
  }

  test('encode rejects a payload above the limit', () => {
    assert.throws(() => encodeFrame(0, new Uint8Array(MAX_FRAME_PAYLOAD + 1)), RangeError);
  });
});

describe('splitIntoFrames', () => {
  for (const [size, count] of [[0, 0], [1, 1], [INPUT_FRAME_PAYLOAD, 1], [INPUT_FRAME_PAYLOAD + 1, 2], [100_000, 7]]) {
    test(`${size} bytes become ${count} frames within the limit`, () => {
      const data = new Uint8Array(size).map((_, i) => i % 256);
      const frames = splitIntoFrames(1000, data);
      assert.equal(frames.length, count);
      let next = 1000;
      for (const frame of frames) {
        assert.equal(frame.offset, next);
        assert.ok(frame.bytes.length >= 1 && frame.bytes.length <= INPUT_FRAME_PAYLOAD);
        next += frame.bytes.length;
      }
      assert.equal(next, 1000 + size);
      const joined = new Uint8Array(size);
      for (const frame of frames) joined.set(frame.bytes, frame.offset - 1000);
      assert.deepEqual(joined, data);
    });
  }

  test('every split frame encodes (the server limit holds)', () => {
    for (const frame of splitIntoFrames(0, new Uint8Array(5 * MAX_FRAME_PAYLOAD))) {
      assert.ok(encodeFrame(frame.offset, frame.bytes).length <= 8 + MAX_FRAME_PAYLOAD);
    }
  });
});

describe('client messages', () => {
  const hello = {
    ticket: 'tk',
    sessionId: null,
    resumeOffset: 0,
    clientId: 'c-abc',
    inputOffset: 0,
    cols: 120,
    rows: 32,
  };

  test('hello carries exactly the members of the protocol', () => {
    assert.deepEqual(JSON.parse(helloMessage({ ...hello, sessionId: 's1', resumeOffset: 2 ** 35, inputOffset: 17 })), {
      type: 'hello',
      ticket: 'tk',
      sessionId: 's1',
      resumeOffset: 2 ** 35,
      clientId: 'c-abc',
      inputOffset: 17,
      cols: 120,
      rows: 32,
    });
  });

  test('hello for a new session sends sessionId null', () => {
    assert.equal(JSON.parse(helloMessage(hello)).sessionId, null);
  });

  for (const [name, change] of [
    ['no ticket', { ticket: '' }],
    ['a bad clientId', { clientId: 'has space' }],
    ['an empty sessionId', { sessionId: '' }],
    ['a negative resumeOffset', { resumeOffset: -1 }],
    ['a fractional inputOffset', { inputOffset: 1.5 }],
  ]) {
    test(`hello refuses ${name}`, () => {
      assert.throws(() => helloMessage({ ...hello, ...change }));
    });
  }

  test('ack, resize and heartbeat', () => {
    assert.deepEqual(JSON.parse(ackMessage(1_310_720)), { type: 'ack', offset: 1_310_720 });
    assert.deepEqual(JSON.parse(resizeMessage(132, 43)), { type: 'resize', cols: 132, rows: 43 });
    assert.deepEqual(JSON.parse(heartbeatMessage()), { type: 'heartbeat' });
  });

  for (const [given, sent] of [[0, 1], [-5, 1], [1, 1], [80.7, 80], [1000, 1000], [5000, 1000], [Number.NaN, 1]]) {
    test(`terminal size ${given} is sent as ${sent}`, () => {
      assert.equal(clampTerminalSize(given), sent);
      assert.equal(JSON.parse(resizeMessage(given, given)).cols, sent);
    });
  }
});

describe('server messages', () => {
  const attached = {
    type: 'attached', sessionId: 's', node: 'n1', replayFrom: 0, head: 9, dropped: 0,
    inputAcked: 0, heartbeatMillis: 10000, window: 1048576,
  };

  test('a well-formed attached parses', () => {
    assert.deepEqual(parseServerMessage(JSON.stringify(attached)), attached);
  });

  for (const [name, text] of [
    ['not JSON', '{nope'],
    ['an array', '[1]'],
    ['null', 'null'],
    ['without a type', '{"a":1}'],
    ['an attached without window', JSON.stringify({ ...attached, window: undefined })],
    ['an attached with a string offset', JSON.stringify({ ...attached, replayFrom: '0' })],
    ['an attached with heartbeatMillis 0', JSON.stringify({ ...attached, heartbeatMillis: 0 })],
    ['a resync with a negative from', '{"type":"resync","dropped":1,"from":-1}'],
    ['a heartbeat without inputAcked', '{"type":"heartbeat","head":3}'],
    ['an exit with a fractional code', '{"type":"exit","code":1.5}'],
    ['a notice without a message', '{"type":"notice","kind":"broadcast"}'],
  ]) {
    test(`rejects ${name}`, () => {
      assert.throws(() => parseServerMessage(text), ProtocolError);
    });
  }

  test('passes unknown types through for the caller to ignore', () => {
    assert.deepEqual(parseServerMessage('{"type":"future","x":1}'), { type: 'future', x: 1 });
  });
});

describe('close codes', () => {
  for (const [code, reconnect] of [
    [1000, true], [1001, true], [1006, true], [1011, true], [4007, true], [4011, true], [4021, true],
    [4000, false], [4001, false], [4004, false], [4006, false], [4009, false], [4013, false], [4015, false],
  ]) {
    test(`close ${code} ${reconnect ? 'reconnects' : 'ends the page'}`, () => {
      assert.equal(reconnectsAfter(code), reconnect);
    });
  }

  test('4006 names the exit code', () => {
    assert.equal(closeSentence(4006, 3), 'The shell exited with code 3.');
    assert.equal(closeSentence(4006, 0), 'The shell exited with code 0.');
    assert.equal(closeSentence(4006, null), 'The shell exited.');
  });

  test('other codes use the table', () => {
    assert.equal(closeSentence(4008), 'The session was closed after being idle too long.');
    assert.equal(closeSentence(1011), 'The connection closed (code 1011).');
  });
});

describe('identifiers and addresses', () => {
  test('client ids are valid for the protocol and differ', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newClientId()));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.ok(isClientId(id), id);
  });

  test('client ids come from the given random source', () => {
    assert.equal(newClientId((b) => b.fill(0xab)), 'c-' + 'ab'.repeat(16));
  });

  for (const [id, valid] of [['c-1', true], ['A_b-9', true], ['x'.repeat(64), true], ['', false], ['x'.repeat(65), false], ['a b', false], ['é', false], [42, false]]) {
    test(`clientId ${JSON.stringify(id).slice(0, 20)} is ${valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(isClientId(id), valid);
    });
  }

  for (const [page, socket] of [
    ['http://localhost:8080/tether/', 'ws://localhost:8080/tether/ws/terminal'],
    ['http://localhost:8080/tether/index.html', 'ws://localhost:8080/tether/ws/terminal'],
    ['https://term.example.com/tether/index.html?x=1#top', 'wss://term.example.com/tether/ws/terminal'],
    ['https://example.com/apps/tether/', 'wss://example.com/apps/tether/ws/terminal'],
  ]) {
    test(`the socket for ${page} is ${socket}`, () => {
      assert.equal(terminalSocketUrl(page), socket);
    });
  }
});
