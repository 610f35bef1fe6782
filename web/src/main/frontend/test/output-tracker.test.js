import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { OutputTracker } from '../src/output-tracker.js';

const bytes = (text) => new TextEncoder().encode(text);
const text = (b) => new TextDecoder().decode(b);
const G = 2 ** 32;

describe('OutputTracker.receive', () => {
  for (const c of [
    { name: 'the next frame in order', expected: 0, offset: 0, payload: 'hello', kind: 'new', shown: 'hello', after: 5 },
    { name: 'a frame continuing the stream', expected: 5, offset: 5, payload: 'world', kind: 'new', shown: 'world', after: 10 },
    { name: 'a frame wholly below the expected offset', expected: 10, offset: 0, payload: 'hello', kind: 'duplicate', after: 10 },
    { name: 'a frame ending exactly at the expected offset', expected: 10, offset: 5, payload: 'world', kind: 'duplicate', after: 10 },
    { name: 'a frame overlapping the expected offset', expected: 7, offset: 5, payload: 'world', kind: 'new', shown: 'rld', after: 10 },
    { name: 'a frame overlapping by all but one byte', expected: 9, offset: 5, payload: 'world', kind: 'new', shown: 'd', after: 10 },
    { name: 'an empty frame at the expected offset', expected: 3, offset: 3, payload: '', kind: 'duplicate', after: 3 },
    { name: 'a frame starting after the expected offset', expected: 10, offset: 11, payload: 'x', kind: 'gap', after: 10 },
    { name: 'a frame far past 4 GiB in order', expected: 5 * G + 1, offset: 5 * G + 1, payload: 'ok', kind: 'new', shown: 'ok', after: 5 * G + 3 },
    { name: 'an overlapping frame past 4 GiB', expected: 5 * G + 1, offset: 5 * G, payload: 'xok', kind: 'new', shown: 'ok', after: 5 * G + 3 },
    { name: 'a gap past 4 GiB', expected: 5 * G, offset: 6 * G, payload: 'x', kind: 'gap', after: 5 * G },
  ]) {
    test(c.name, () => {
      const tracker = new OutputTracker(c.expected);
      const result = tracker.receive(c.offset, bytes(c.payload));
      assert.equal(result.kind, c.kind);
      if (c.kind === 'new') assert.equal(text(result.bytes), c.shown);
      if (c.kind === 'gap') assert.deepEqual(result, { kind: 'gap', expected: c.expected, offset: c.offset });
      assert.equal(tracker.expected, c.after);
    });
  }

  test('a reconnect race shows every byte exactly once', () => {
    const tracker = new OutputTracker();
    const shown = [];
    // Old connection delivers 0..8, the new one replays from 4 and goes on.
    for (const [offset, payload] of [[0, 'abcd'], [4, 'efgh'], [4, 'efgh'], [6, 'ghij'], [10, 'kl']]) {
      const result = tracker.receive(offset, bytes(payload));
      if (result.kind === 'new') shown.push(text(result.bytes));
      assert.notEqual(result.kind, 'gap');
    }
    assert.equal(shown.join(''), 'abcdefghijkl');
  });

  test('rejects offsets that are not non-negative integers', () => {
    const tracker = new OutputTracker();
    for (const offset of [-1, 1.5, Number.NaN, 2 ** 53]) {
      assert.throws(() => tracker.receive(offset, bytes('x')), RangeError);
    }
  });
});

describe('OutputTracker.attached and resync', () => {
  for (const c of [
    { name: 'a seamless resume', expected: 100, at: 100, skipped: 0, after: 100 },
    { name: 'a resume after the log moved on', expected: 100, at: 160, skipped: 60, after: 160 },
    { name: 'a reload (from 0) of a session whose log wrapped', expected: 0, at: 1_048_576, skipped: 1_048_576, after: 1_048_576 },
    { name: 'a replay from before what the page has', expected: 100, at: 40, skipped: 0, after: 100 },
  ]) {
    test(`attached: ${c.name}`, () => {
      const tracker = new OutputTracker(c.expected);
      assert.equal(tracker.attached(c.at), c.skipped);
      assert.equal(tracker.expected, c.after);
    });
  }

  test('resync skips to the new start and reports how much', () => {
    const tracker = new OutputTracker(500);
    assert.equal(tracker.resync(524_788), 524_288);
    assert.equal(tracker.expected, 524_788);
    assert.equal(tracker.receive(524_788, bytes('go')).kind, 'new');
  });

  test('a stale resync (not ahead) changes nothing', () => {
    const tracker = new OutputTracker(500);
    assert.equal(tracker.resync(400), 0);
    assert.equal(tracker.expected, 500);
  });

  test('after a replay from before the page, the repeated bytes are dropped', () => {
    const tracker = new OutputTracker(6);
    tracker.attached(2);
    const result = tracker.receive(2, bytes('cdefgh'));
    assert.equal(text(result.bytes), 'gh');
  });

  test('reset starts a new stream', () => {
    const tracker = new OutputTracker(500);
    tracker.reset();
    assert.equal(tracker.expected, 0);
  });
});
