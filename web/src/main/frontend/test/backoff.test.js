import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ReconnectBackoff } from '../src/backoff.js';

describe('ReconnectBackoff', () => {
  test('first retry is quick, later ones double from 800 ms up to the 8 s cap', () => {
    const backoff = new ReconnectBackoff({ random: () => 0.5 }); // 0.5: no jitter
    const delays = Array.from({ length: 8 }, () => backoff.nextDelay());
    assert.deepEqual(delays, [150, 800, 1600, 3200, 6400, 8000, 8000, 8000]);
    assert.equal(backoff.attempts, 8);
  });

  for (const { attempt, random, expected } of [
    { attempt: 1, random: 0, expected: 150 }, // the quick retry is not jittered
    { attempt: 1, random: 0.999, expected: 150 },
    { attempt: 2, random: 0, expected: 640 }, // 800 - 20%
    { attempt: 2, random: 1, expected: 960 }, // 800 + 20%
    { attempt: 3, random: 0.25, expected: 1440 }, // 1600 - 10%
    { attempt: 5, random: 1, expected: 7680 }, // 6400 + 20%
    { attempt: 6, random: 0, expected: 6400 }, // 8000 - 20%
    { attempt: 6, random: 1, expected: 8000 }, // +20% would pass the cap
    { attempt: 30, random: 1, expected: 8000 },
  ]) {
    test(`attempt ${attempt} with random ${random} waits ${expected} ms`, () => {
      assert.equal(new ReconnectBackoff({ random: () => random }).delayFor(attempt), expected);
    });
  }

  test('jitter keeps every delay within ±20% of its step and never above the cap', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const backoff = new ReconnectBackoff({ random });
    const seen = new Set();
    for (let attempt = 2; attempt <= 10; attempt += 1) {
      const step = Math.min(8000, 800 * 2 ** (attempt - 2));
      for (let i = 0; i < 200; i += 1) {
        const delay = backoff.delayFor(attempt);
        seen.add(delay);
        assert.ok(delay >= step * 0.8 && delay <= Math.min(8000, step * 1.2), `attempt ${attempt}: ${delay}`);
      }
    }
    assert.ok(seen.size > 50, 'jitter spreads the delays');
  });

  for (const [attempt, warn] of [[1, false], [2, true], [3, true], [12, true]]) {
    test(`attempt ${attempt} ${warn ? 'shows' : 'does not show'} the reconnect banner`, () => {
      assert.equal(new ReconnectBackoff().shouldWarn(attempt), warn);
    });
  }

  for (const { healthyFor, attemptsAfter, nextDelay } of [
    { healthyFor: 60_000, attemptsAfter: 0, nextDelay: 150 },
    { healthyFor: 300_000, attemptsAfter: 0, nextDelay: 150 },
    { healthyFor: 59_999, attemptsAfter: 3, nextDelay: 3200 },
    { healthyFor: 1_000, attemptsAfter: 3, nextDelay: 3200 },
  ]) {
    test(`a session healthy for ${healthyFor} ms ${attemptsAfter === 0 ? 'resets' : 'keeps'} the backoff`, () => {
      let now = 0;
      const backoff = new ReconnectBackoff({ random: () => 0.5, now: () => now });
      backoff.nextDelay();
      backoff.nextDelay();
      backoff.nextDelay();
      backoff.connected();
      now += healthyFor;
      backoff.disconnected();
      assert.equal(backoff.attempts, attemptsAfter);
      assert.equal(backoff.nextDelay(), nextDelay);
    });
  }

  test('a drop without a connection in between does not reset', () => {
    let now = 0;
    const backoff = new ReconnectBackoff({ random: () => 0.5, now: () => now });
    backoff.connected();
    now = 120_000;
    backoff.disconnected();
    backoff.nextDelay();
    backoff.nextDelay();
    now = 500_000; // long, but never connected since the last drop
    backoff.disconnected();
    assert.equal(backoff.attempts, 2);
  });

  test('reset() starts over', () => {
    const backoff = new ReconnectBackoff({ random: () => 0.5 });
    backoff.nextDelay();
    backoff.nextDelay();
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.nextDelay(), 150);
  });
});
