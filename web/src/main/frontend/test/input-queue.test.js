import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { InputQueue } from '../src/input-queue.js';
import { INPUT_FRAME_PAYLOAD } from '../src/protocol.js';

const bytes = (text) => new TextEncoder().encode(text);
const text = (b) => new TextDecoder().decode(b);

function typed(...chunks) {
  const queue = new InputQueue();
  for (const chunk of chunks) queue.push(bytes(chunk));
  return queue;
}

/** The frames as [offset, text] pairs, easy to compare. */
const pairs = (frames) => frames.map((f) => [f.offset, text(f.bytes)]);

describe('InputQueue', () => {
  test('push gives each chunk its offset in the stream', () => {
    const queue = new InputQueue();
    assert.equal(queue.push(bytes('ls')).offset, 0);
    assert.equal(queue.push(bytes(' -l\r')).offset, 2);
    assert.equal(queue.push(bytes('é')).offset, 6);
    assert.equal(queue.totalTyped, 8);
    assert.equal(queue.pendingBytes, 8);
  });

  for (const c of [
    { name: 'nothing acknowledged', ack: 0, pending: 8, resend: [[0, 'echo hi\r']] },
    { name: 'a whole first chunk', ack: 4, pending: 4, resend: [[4, ' hi\r']] },
    { name: 'into the middle of a chunk', ack: 6, pending: 2, resend: [[6, 'i\r']] },
    { name: 'everything', ack: 8, pending: 0, resend: [] },
  ]) {
    test(`ack(${c.ack}): ${c.name}`, () => {
      const queue = typed('echo', ' hi', '\r');
      queue.ack(c.ack);
      assert.equal(queue.acked, c.ack);
      assert.equal(queue.pendingBytes, c.pending);
      assert.deepEqual(pairs(queue.framesFrom(c.ack)), c.resend);
    });
  }

  test('a stale (lower) mark is ignored', () => {
    const queue = typed('abcdef');
    queue.ack(4);
    queue.ack(2);
    assert.equal(queue.acked, 4);
    assert.deepEqual(pairs(queue.framesFrom(4)), [[4, 'ef']]);
  });

  test('a mark beyond what was typed is refused', () => {
    const queue = typed('abc');
    assert.throws(() => queue.ack(4), RangeError);
    assert.equal(queue.acked, 0);
  });

  test('cannot resend what was already forgotten or never typed', () => {
    const queue = typed('abcdef');
    queue.ack(3);
    assert.throws(() => queue.framesFrom(2), RangeError);
    assert.throws(() => queue.framesFrom(7), RangeError);
  });

  test('resend packs keystrokes typed during an outage into one frame', () => {
    const queue = new InputQueue();
    for (const key of 'git status\r') queue.push(bytes(key));
    queue.ack(3);
    assert.deepEqual(pairs(queue.framesFrom(3)), [[3, ' status\r']]);
  });

  test('a large paste resends as contiguous frames within the limit', () => {
    const paste = 'x'.repeat(INPUT_FRAME_PAYLOAD * 3 + 100);
    const queue = typed('$ ', paste, '\r');
    queue.ack(1);
    const frames = queue.framesFrom(1);
    assert.equal(frames.length, 4);
    let next = 1;
    for (const frame of frames) {
      assert.equal(frame.offset, next);
      assert.ok(frame.bytes.length <= INPUT_FRAME_PAYLOAD);
      next += frame.bytes.length;
    }
    assert.equal(next, queue.totalTyped);
    assert.equal(frames.map((f) => text(f.bytes)).join(''), ' ' + paste + '\r');
  });

  test('acknowledged bytes are released, so memory tracks only the unconfirmed tail', () => {
    const queue = new InputQueue();
    const big = new Uint8Array(1 << 20);
    queue.push(big);
    queue.push(bytes('tail'));
    queue.ack((1 << 20) + 2);
    assert.equal(queue.pendingBytes, 2);
    const [frame] = queue.framesFrom(queue.acked);
    assert.equal(text(frame.bytes), 'il');
    assert.notEqual(frame.bytes.buffer, big.buffer);
  });

  test('a partially acknowledged chunk is copied so the acknowledged head can be freed', () => {
    const queue = new InputQueue();
    const chunk = new Uint8Array(1000);
    queue.push(chunk);
    queue.ack(999);
    const [frame] = queue.framesFrom(999);
    assert.equal(frame.bytes.length, 1);
    assert.equal(queue.pendingBytes, 1);
  });

  test('empty input changes nothing', () => {
    const queue = new InputQueue();
    assert.equal(queue.push(new Uint8Array(0)).offset, 0);
    assert.equal(queue.totalTyped, 0);
    assert.deepEqual(queue.framesFrom(0), []);
  });
});
