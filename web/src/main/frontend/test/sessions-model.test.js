// The sessions panel's rows and the reattach offer.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { reattachOffer, sessionRows } from '../src/sessions-model.js';

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const at = (secondsAgo) => new Date(NOW - secondsAgo * 1000).toISOString();

function item(id, state, lastSecondsAgo, extra = {}) {
  return { id, user: 'alice', node: 'node1', state, created: at(3600), lastActivity: at(lastSecondsAgo), command: 'bash', ...extra };
}

describe('sessions panel', () => {
  test('newest activity first; this tab\'s session marked; what opening each is called', () => {
    const rows = sessionRows([item('a', 'detached', 300), item('b', 'attached', 5), item('c', 'attached', 60)], 'c', NOW);
    assert.deepEqual(rows.map((r) => [r.id, r.current, r.open]), [['b', false, 'switch'], ['c', true, null], ['a', false, 'reattach']]);
    assert.equal(rows[0].lastActivity, '5 s ago');
    assert.equal(rows[0].created, '1 h ago');
    assert.equal(rows[2].command, 'bash');
  });

  test('missing fields read as dashes; junk is dropped', () => {
    const rows = sessionRows([{ id: 'x', attachedClients: 0 }, null, { nope: 1 }], null, NOW);
    assert.deepEqual(rows, [{ id: 'x', state: 'detached', current: false, created: '—', lastActivity: '—', command: '—', node: '', open: 'reattach' }]);
    assert.deepEqual(sessionRows(undefined, null, NOW), []);
  });

  test('the offer lists only detached sessions, the most recently used first', () => {
    const offer = reattachOffer([item('a', 'detached', 900), item('b', 'attached', 5), item('c', 'detached', 30)], NOW);
    assert.deepEqual(offer.map((r) => r.id), ['c', 'a']);
    assert.deepEqual(reattachOffer([item('b', 'attached', 5)], NOW), []);
  });
});
