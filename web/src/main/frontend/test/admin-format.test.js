// The console's wording for sizes, countdowns, ages and states.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  formatAge, formatBytes, formatCountdown, formatSize, formatState, idleLeftMs, parseInstant, sessionState,
} from '../src/admin-format.js';

describe('formatBytes', () => {
  for (const [n, text] of [
    [0, '0 B'], [1, '1 B'], [1023, '1023 B'], [1024, '1.0 KiB'], [1536, '1.5 KiB'],
    [102_400, '100 KiB'], [1_048_575, '1.0 MiB'], [1_048_576, '1.0 MiB'], [12.3 * 1024 * 1024, '12.3 MiB'],
    [512 * 1024 * 1024, '512 MiB'], [3 * 1024 ** 3, '3.0 GiB'], [2 * 1024 ** 4, '2.0 TiB'],
  ]) {
    test(`${n} → ${text}`, () => assert.equal(formatBytes(n), text));
  }

  test('no number, no size', () => {
    assert.equal(formatBytes(undefined), '—');
    assert.equal(formatBytes(-1), '—');
    assert.equal(formatBytes(Number.NaN), '—');
  });
});

describe('formatCountdown', () => {
  for (const [ms, text] of [
    [null, '—'], [Number.NaN, '—'], [0, 'due'], [-5000, 'due'], [1, '0:01'], [999, '0:01'],
    [1000, '0:01'], [1001, '0:02'], [59_000, '0:59'], [60_000, '1:00'], [605_000, '10:05'],
    [3_599_000, '59:59'], [3_600_000, '1:00:00'], [3_725_000, '1:02:05'], [90_000_000, '25:00:00'],
  ]) {
    test(`${ms} ms → ${text}`, () => assert.equal(formatCountdown(ms), text));
  }
});

describe('idleLeftMs', () => {
  const now = Date.parse('2026-11-21T07:10:00.000Z');

  test('counts down to the deadline with the local clock', () => {
    const session = { idleDeadline: '2026-11-21T07:15:00.000Z' };
    assert.equal(idleLeftMs(session, now), 300_000);
    assert.equal(formatCountdown(idleLeftMs(session, now + 1000)), '4:59');
  });

  test('no deadline, no countdown', () => {
    assert.equal(idleLeftMs({}, now), null);
    assert.equal(idleLeftMs({ idleDeadline: 'not a time' }, now), null);
    assert.equal(parseInstant(''), null);
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-11-21T07:10:00.000Z');
  for (const [iso, text] of [
    ['2026-11-21T07:10:00.000Z', 'just now'],
    ['2026-11-21T07:10:05.000Z', 'just now'],
    ['2026-11-21T07:09:52.000Z', '8 s ago'],
    ['2026-11-21T07:05:00.000Z', '5 min ago'],
    ['2026-11-21T04:10:00.000Z', '3 h ago'],
    ['2026-11-19T07:10:00.000Z', '2 d ago'],
    [undefined, '—'],
  ]) {
    test(`${iso} → ${text}`, () => assert.equal(formatAge(iso, now), text));
  }
});

describe('states and sizes', () => {
  test('the state, from the record or its client count', () => {
    assert.equal(sessionState({ state: 'detached', attachedClients: 0 }), 'detached');
    assert.equal(sessionState({ attachedClients: 2 }), 'attached');
    assert.equal(sessionState({}), 'detached');
  });

  test('the state cell counts clients and observers', () => {
    assert.equal(formatState({ state: 'attached', attachedClients: 1, observers: 0 }), 'attached ×1');
    assert.equal(formatState({ state: 'attached', attachedClients: 2, observers: 1 }), 'attached ×2 + 1 observer');
    assert.equal(formatState({ state: 'detached', attachedClients: 0, observers: 3 }), 'detached + 3 observers');
    assert.equal(formatState({ state: 'detached', attachedClients: 0 }), 'detached');
  });

  test('size', () => {
    assert.equal(formatSize({ cols: 120, rows: 40 }), '120×40');
    assert.equal(formatSize({}), '—');
  });
});
