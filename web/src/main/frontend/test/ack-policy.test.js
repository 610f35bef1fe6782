import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { AckPolicy } from '../src/ack-policy.js';

describe('AckPolicy', () => {
  test('acknowledges once the terminal has drained its writes', () => {
    const acks = new AckPolicy(1000, 0);
    acks.written(100);
    acks.written(200);
    assert.equal(acks.processed(100), null, 'more output still queued, under half a window');
    assert.equal(acks.processed(200), 200);
  });

  test('acknowledges mid-batch once half a window is unacknowledged', () => {
    const acks = new AckPolicy(1000, 0);
    acks.written(300);
    acks.written(600);
    acks.written(900);
    assert.equal(acks.processed(300), null);
    assert.equal(acks.processed(600), 600, '600 >= 1000 / 2');
    assert.equal(acks.processed(900), 900, 'drained');
  });

  test('a steady stream never leaves a full window unacknowledged', () => {
    const window = 64 * 1024;
    const acks = new AckPolicy(window, 0);
    let lastAck = 0;
    let written = 0;
    // The server keeps sending up to lastAck + window; the terminal lags two frames behind.
    const queue = [];
    const frames = 500;
    for (let i = 0; i < frames; i += 1) {
      while (written + 4096 <= lastAck + window) {
        written += 4096;
        acks.written(written);
        queue.push(written);
      }
      assert.ok(queue.length > 2, 'the server could always send');
      const ack = acks.processed(queue.shift());
      if (ack !== null) lastAck = ack;
    }
    assert.ok(lastAck >= frames * 4096 - window / 2, `acknowledged up to ${lastAck}`);
  });

  test('never acknowledges at or below what was already acknowledged', () => {
    const acks = new AckPolicy(1000, 5000);
    assert.equal(acks.processed(5000), null, 'the connection starts there');
    assert.equal(acks.processed(4000), null, 'a late callback from before the connection');
    acks.written(5100);
    assert.equal(acks.processed(5100), 5100);
    assert.equal(acks.processed(5100), null);
    assert.equal(acks.processed(5050), null);
    assert.equal(acks.lastSent, 5100);
  });

  test('rejects a window that is not a positive integer', () => {
    for (const window of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new AckPolicy(window, 0), RangeError);
    }
  });
});
