// The console's model against scripted list answers and event streams: rows keyed by id, newer
// revisions only, rebuilds that buffer, filters, paging and totals (docs/admin-api.md).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  AdminModel, DEFAULT_LIMIT, compareSessions, matchesFilters, normalizeFilters, normalizeLimit, pageInfo, sessionsQuery,
} from '../src/admin-model.js';

/** A session record as GET sessions and the events carry it; s-<n> sorts by n. */
function session(n, overrides = {}) {
  return {
    id: `s-${String(n).padStart(4, '0')}`,
    user: 'alice',
    node: 'node1',
    state: 'attached',
    attachedClients: 1,
    observers: 0,
    created: new Date(Date.UTC(2026, 10, 21, 7, 0, 0) + n * 1000).toISOString(),
    lastActivity: '2026-11-21T07:10:00.000Z',
    idleDeadline: '2026-11-21T08:10:00.000Z',
    cols: 120,
    rows: 40,
    outputBytes: 100,
    command: '-bash',
    revision: 1,
    ...overrides,
  };
}

function event(type, record, extra = {}) {
  if (type === 'closed') {
    return { seq: 0, type, sessionId: record.id, user: record.user, node: record.node, reason: 'shell-exited', ...extra };
  }
  return { seq: 0, type, sessionId: record.id, user: record.user, node: record.node, session: record, ...extra };
}

const NODES = [
  { node: 'node1', url: 'http://n1/tether/', sessions: 3, draining: false },
  { node: 'node2', url: 'http://n2/tether/', sessions: 0, draining: false },
];

/** A model rebuilt from a list of `items` with `total`, and the nodes above. */
function loaded({ items, total = items.length, filters, limit, offset } = {}) {
  const model = new AdminModel({ filters, limit, offset });
  const token = model.beginRebuild();
  model.finishRebuild(token, { items, total, limit: model.limit, offset: model.offset }, structuredClone(NODES));
  return model;
}

const ids = (model) => model.rows.map((r) => r.id);
const nodeCount = (model, name) => model.nodes.find((n) => n.node === name).sessions;

describe('filters, queries and paging', () => {
  test('blank filters mean all; unknown states are dropped', () => {
    assert.deepEqual(normalizeFilters({ user: ' bob ', node: '', state: 'weird' }), { user: 'bob', node: null, state: null });
    assert.deepEqual(normalizeFilters(), { user: null, node: null, state: null });
  });

  test('the query carries only the filters set, with limit and offset', () => {
    assert.equal(sessionsQuery({ user: 'alice', state: 'attached' }, { limit: 2, offset: 0 }), 'user=alice&state=attached&limit=2&offset=0');
    assert.equal(sessionsQuery({}, { limit: 100, offset: 200 }), 'limit=100&offset=200');
    assert.equal(sessionsQuery({ user: 'a b&c' }, { limit: 5, offset: 0 }), 'user=a+b%26c&limit=5&offset=0');
  });

  test('limits outside 1..1000 fall back to the default', () => {
    assert.equal(normalizeLimit(1000), 1000);
    assert.equal(normalizeLimit(0), DEFAULT_LIMIT);
    assert.equal(normalizeLimit(1001), DEFAULT_LIMIT);
    assert.equal(normalizeLimit('50'), 50);
  });

  test('matching by user, node and state', () => {
    const f = normalizeFilters({ user: 'alice', node: 'node1', state: 'detached' });
    assert.equal(matchesFilters(f, session(1, { state: 'detached', attachedClients: 0 })), true);
    assert.equal(matchesFilters(f, session(1)), false, 'attached');
    assert.equal(matchesFilters(f, session(1, { state: 'detached', user: 'bob' })), false);
    assert.equal(matchesFilters(f, session(1, { state: 'detached', node: 'node2' })), false);
    assert.equal(matchesFilters(normalizeFilters({}), session(1)), true);
  });

  test('page info: first, middle, last and past-the-end pages', () => {
    assert.deepEqual(
      pick(pageInfo({ offset: 0, limit: 100, total: 10_000, shown: 100 })),
      { text: '1–100 of 10000', isLast: false, hasPrevious: false, hasNext: true, nextOffset: 100 },
    );
    assert.deepEqual(
      pick(pageInfo({ offset: 9900, limit: 100, total: 10_000, shown: 100 })),
      { text: '9901–10000 of 10000', isLast: true, hasPrevious: true, hasNext: false, nextOffset: 10_000 },
    );
    assert.equal(pageInfo({ offset: 0, limit: 100, total: 0, shown: 0 }).text, '0 of 0');
    assert.equal(pageInfo({ offset: 300, limit: 100, total: 250, shown: 0 }).lastOffset, 200);
    assert.equal(pageInfo({ offset: 300, limit: 100, total: 200, shown: 0 }).lastOffset, 100);
    assert.equal(pageInfo({ offset: 100, limit: 100, total: 250, shown: 100 }).previousOffset, 0);
  });

  test('the list order is created, then id', () => {
    assert.ok(compareSessions(session(1), session(2)) < 0);
    assert.ok(compareSessions(session(1, { id: 'b' }), session(1, { id: 'a' })) > 0);
  });
});

function pick({ text, isLast, hasPrevious, hasNext, nextOffset }) {
  return { text, isLast, hasPrevious, hasNext, nextOffset };
}

describe('rows from events', () => {
  test('an update replaces the row in place', () => {
    const model = loaded({ items: [session(1), session(2)] });
    const changes = model.apply(event('updated', session(1, { revision: 2, command: 'vim notes.txt', outputBytes: 5000 })));
    assert.equal(changes.rows, true);
    assert.deepEqual(ids(model), ['s-0001', 's-0002']);
    assert.equal(model.row('s-0001').command, 'vim notes.txt');
    assert.equal(model.row('s-0001').outputBytes, 5000);
  });

  test('an older revision never overwrites a newer one; the same revision does', () => {
    const model = loaded({ items: [session(1, { revision: 5, command: 'top' })] });
    assert.equal(model.apply(event('updated', session(1, { revision: 4, command: 'old' }))).rows, false);
    assert.equal(model.row('s-0001').command, 'top');
    model.apply(event('resized', session(1, { revision: 5, cols: 80, command: 'top' })));
    assert.equal(model.row('s-0001').cols, 80);
    model.apply(event('updated', session(1, { revision: 7, command: 'new' })));
    model.apply(event('updated', session(1, { revision: 6, command: 'between' })));
    assert.equal(model.row('s-0001').command, 'new');
  });

  test('replaying the same events twice leaves one row per session and the same total', () => {
    const model = loaded({ items: [session(1)], total: 1 });
    const events = [
      event('opened', session(2)),
      event('attached', session(2, { revision: 2, attachedClients: 2 })),
      event('updated', session(1, { revision: 3 })),
      event('opened', session(3)),
      event('closed', session(3)),
    ];
    for (const e of events) model.apply(e);
    const once = { ids: ids(model), total: model.total, node1: nodeCount(model, 'node1') };
    for (const e of events) model.apply(e);
    assert.deepEqual({ ids: ids(model), total: model.total, node1: nodeCount(model, 'node1') }, once);
    assert.deepEqual(once, { ids: ['s-0001', 's-0002'], total: 2, node1: 4 });
  });

  test('closed removes the shown row and decrements total; a late event does not bring it back', () => {
    const model = loaded({ items: [session(1), session(2)] });
    model.apply(event('closed', session(1)));
    assert.deepEqual(ids(model), ['s-0002']);
    assert.equal(model.total, 1);
    assert.equal(nodeCount(model, 'node1'), 2);
    model.apply(event('updated', session(1, { revision: 9 })));
    model.apply(event('closed', session(1)));
    assert.deepEqual(ids(model), ['s-0002']);
    assert.equal(model.total, 1);
    assert.equal(nodeCount(model, 'node1'), 2);
  });

  test('returned brings back a session that was closed as node-lost, counted once', () => {
    const model = loaded({ items: [session(1), session(2)] });
    model.apply(event('closed', session(1), { reason: 'node-lost' }));
    assert.deepEqual(ids(model), ['s-0002']);
    model.apply(event('returned', session(1, { revision: 0 })));
    assert.deepEqual(ids(model), ['s-0001', 's-0002']);
    assert.equal(model.total, 2);
    assert.equal(nodeCount(model, 'node1'), 3);
    model.apply(event('updated', session(1, { revision: 1, cols: 90 })));
    assert.equal(model.rows[0].cols, 90, 'it is followed again');
    assert.equal(model.total, 2);
  });

  test('events without an id or snapshot, or not objects, change nothing', () => {
    const model = loaded({ items: [session(1)] });
    assert.deepEqual(model.apply(null), { rows: false, total: false, nodes: false, refetchNodes: false, fetchSession: null });
    assert.equal(model.apply({ type: 'updated' }).rows, false);
    assert.equal(model.row('s-0001').revision, 1);
  });

  test('an event without its snapshot asks for the shown row to be read; the answer is applied by revision', () => {
    const model = loaded({ items: [session(1), session(2)] });
    const changes = model.apply({ type: 'resized', sessionId: 's-0001', user: 'alice', node: 'node1' });
    assert.equal(changes.rows, false);
    assert.equal(changes.fetchSession, 's-0001');
    assert.equal(model.apply({ type: 'resized', sessionId: 's-0099' }).fetchSession, null, 'not shown: nothing to read');
    model.applySnapshot('s-0001', session(1, { revision: 2, cols: 80 }));
    assert.equal(model.row('s-0001').cols, 80);
    model.applySnapshot('s-0001', session(1, { revision: 1, cols: 10 }));
    assert.equal(model.row('s-0001').cols, 80);
    model.applySnapshot('s-0002', null); // 404: gone
    assert.deepEqual(ids(model), ['s-0001']);
    assert.equal(model.total, 1);
  });
});

describe('new and ended sessions, totals and pages', () => {
  test('a new matching session is appended to the last page with room, in list order', () => {
    const model = loaded({ items: [session(1), session(3)], total: 2, limit: 10 });
    model.apply(event('opened', session(4)));
    model.apply(event('opened', session(2))); // created earlier, arriving later
    assert.deepEqual(ids(model), ['s-0001', 's-0002', 's-0003', 's-0004']);
    assert.equal(model.total, 4);
    assert.equal(model.beyondPage, 0);
  });

  test('on a page that is not the last, a new session only counts (and is hinted)', () => {
    const model = loaded({ items: [session(1), session(2)], total: 5, limit: 2 });
    model.apply(event('opened', session(9)));
    assert.deepEqual(ids(model), ['s-0001', 's-0002']);
    assert.equal(model.total, 6);
    assert.equal(model.beyondPage, 1);
  });

  test('a full last page does not grow past its limit', () => {
    const model = loaded({ items: [session(1), session(2)], total: 2, limit: 2 });
    model.apply(event('opened', session(3)));
    assert.deepEqual(ids(model), ['s-0001', 's-0002']);
    assert.equal(model.total, 3);
    assert.equal(model.beyondPage, 1);
    assert.equal(model.page.hasNext, true);
  });

  test('a session that does not match the filters is not shown or counted', () => {
    const model = loaded({ items: [session(1)], filters: { user: 'alice' }, limit: 10 });
    model.apply(event('opened', session(2, { user: 'bob' })));
    assert.deepEqual(ids(model), ['s-0001']);
    assert.equal(model.total, 1);
    assert.equal(nodeCount(model, 'node1'), 4, 'the node counts every session');
    model.apply(event('closed', session(2, { user: 'bob' })));
    assert.equal(model.total, 1);
    assert.equal(nodeCount(model, 'node1'), 3);
  });

  test('closed for a matching session on another page decrements total; a foreign one does not', () => {
    const model = loaded({ items: [session(1)], total: 50, filters: { user: 'alice' }, limit: 1 });
    model.apply(event('closed', session(30)));
    assert.equal(model.total, 49);
    model.apply(event('closed', session(31, { user: 'bob' })));
    assert.equal(model.total, 49);
    model.apply(event('closed', session(30)));
    assert.equal(model.total, 49, 'replayed');
  });

  test('a shown session that leaves the state filter leaves the page; one that enters it is counted', () => {
    const detachedOnly = { state: 'detached' };
    const model = loaded({
      items: [session(1, { state: 'detached', attachedClients: 0 }), session(2, { state: 'detached', attachedClients: 0 })],
      filters: detachedOnly,
      limit: 10,
    });
    model.apply(event('attached', session(1, { revision: 2 })));
    assert.deepEqual(ids(model), ['s-0002']);
    assert.equal(model.total, 1);
    model.apply(event('detached', session(1, { revision: 3, state: 'detached', attachedClients: 0 })));
    assert.deepEqual(ids(model), ['s-0001', 's-0002']);
    assert.equal(model.total, 2);
  });

  test('an off-page session detaching enters a "detached" filter, counted once', () => {
    const model = loaded({ items: [session(1, { state: 'detached', attachedClients: 0 })], total: 10, limit: 1, filters: { state: 'detached' } });
    const detached = event('detached', session(40, { revision: 2, state: 'detached', attachedClients: 0 }));
    model.apply(detached);
    model.apply(detached);
    assert.equal(model.total, 11);
    // An observer attaching to a detached session changes nothing for the filter either.
    const observerAttached = event('attached', session(42, { revision: 2, state: 'attached', attachedClients: 1 }), { detail: 'c-9 (observer)' });
    const model2 = loaded({ items: [], total: 10, limit: 1, filters: { state: 'attached' } });
    model2.apply(observerAttached);
    assert.equal(model2.total, 10);
    model2.apply(event('attached', session(43, { revision: 2, state: 'attached', attachedClients: 1 }), { detail: 'c-7' }));
    assert.equal(model2.total, 11, 'the first client attaching enters the filter');
    // A detach that leaves clients attached changes nothing for the filter.
    model.apply(event('detached', session(41, { revision: 2, attachedClients: 1 })));
    assert.equal(model.total, 11);
    // Nor does an observer leaving a session that was detached already.
    model.apply(event('detached', session(44, { revision: 3, state: 'detached', attachedClients: 0 }), { detail: 'c-9 (observer): closed by the client' }));
    assert.equal(model.total, 11);
  });

  test('a page past the end takes no new rows', () => {
    const model = loaded({ items: [], total: 3, limit: 10, offset: 10 });
    model.apply(event('opened', session(9)));
    assert.deepEqual(ids(model), []);
    assert.equal(model.total, 4);
  });
});

describe('nodes', () => {
  test('opened and closed move the owner node\'s count, once each', () => {
    const model = loaded({ items: [] });
    const opened = event('opened', session(1, { node: 'node2' }));
    model.apply(opened);
    model.apply(opened);
    assert.equal(nodeCount(model, 'node2'), 1);
    model.apply(event('resized', session(1, { node: 'node2', revision: 2 })));
    assert.equal(nodeCount(model, 'node2'), 1);
    const closed = event('closed', session(1, { node: 'node2' }));
    model.apply(closed);
    model.apply(closed);
    assert.equal(nodeCount(model, 'node2'), 0);
  });

  test('a node the page does not know asks for the node list again', () => {
    const model = loaded({ items: [] });
    assert.equal(model.apply(event('opened', session(1, { node: 'node3' }))).refetchNodes, true);
    model.setNodes([...NODES, { node: 'node3', url: 'http://n3/tether/', sessions: 1, draining: false }]);
    assert.equal(model.apply(event('updated', session(1, { node: 'node3', revision: 2 }))).refetchNodes, false);
    assert.deepEqual(model.nodes.map((n) => n.node), ['node1', 'node2', 'node3']);
  });
});

describe('rebuilds', () => {
  test('events during a rebuild are held, then applied after the list', () => {
    const model = new AdminModel({ limit: 10 });
    const token = model.beginRebuild();
    assert.equal(model.rebuilding, true);
    assert.equal(model.apply(event('updated', session(1, { revision: 3, command: 'vim' }))).rows, false);
    model.apply(event('closed', session(2)));
    model.apply(event('opened', session(5)));
    assert.deepEqual(ids(model), [], 'nothing shown before the list');

    const changes = model.finishRebuild(token, { items: [session(1, { revision: 2 }), session(2), session(3)], total: 3 }, structuredClone(NODES));
    assert.equal(changes.rows, true);
    assert.equal(model.rebuilding, false);
    assert.deepEqual(ids(model), ['s-0001', 's-0003', 's-0005']);
    assert.equal(model.row('s-0001').command, 'vim', 'the newer buffered snapshot wins');
    assert.equal(model.total, 3);
  });

  test('buffered snapshots older than the list are dropped', () => {
    const model = new AdminModel();
    const token = model.beginRebuild();
    model.apply(event('updated', session(1, { revision: 1, command: 'old' })));
    model.finishRebuild(token, { items: [session(1, { revision: 4, command: 'current' })], total: 1 }, NODES);
    assert.equal(model.row('s-0001').command, 'current');
  });

  test('a reset replaying every held event does not count the listed sessions again', () => {
    // The node replays opened events for sessions the list already counts on earlier pages.
    const model = new AdminModel({ limit: 2, offset: 2 });
    const token = model.beginRebuild();
    for (let n = 1; n <= 4; n += 1) model.apply(event('opened', session(n)));
    model.apply(event('updated', session(3, { revision: 2 })));
    model.finishRebuild(token, { items: [session(3), session(4)], total: 4 }, structuredClone(NODES));
    assert.deepEqual(ids(model), ['s-0003', 's-0004']);
    assert.equal(model.total, 4);
    assert.equal(model.beyondPage, 0);
    assert.equal(nodeCount(model, 'node1'), 3, 'the listed count stands');
    assert.equal(model.row('s-0003').revision, 2);
  });

  test('a buffered session that sorts onto the last page but is not on it is new', () => {
    const model = new AdminModel({ limit: 10 });
    const token = model.beginRebuild();
    model.apply(event('opened', session(7)));
    model.finishRebuild(token, { items: [session(1)], total: 1 }, structuredClone(NODES));
    assert.deepEqual(ids(model), ['s-0001', 's-0007']);
    assert.equal(model.total, 2);
    assert.equal(nodeCount(model, 'node1'), 4);
  });

  test('opened then closed while rebuilding leaves nothing behind', () => {
    const model = new AdminModel({ limit: 10 });
    const token = model.beginRebuild();
    model.apply(event('opened', session(7)));
    model.apply(event('closed', session(7)));
    model.finishRebuild(token, { items: [session(1)], total: 1 }, NODES);
    assert.deepEqual(ids(model), ['s-0001']);
    assert.equal(model.total, 1);
  });

  test('a superseded rebuild\'s answer is ignored; the buffer carries over', () => {
    const model = new AdminModel({ limit: 10 });
    const first = model.beginRebuild();
    model.apply(event('updated', session(1, { revision: 5, command: 'kept' })));
    const second = model.beginRebuild({ filters: { user: 'alice' } });
    assert.equal(model.finishRebuild(first, { items: [session(9)], total: 1 }, NODES), null);
    assert.equal(model.rebuilding, true);
    model.finishRebuild(second, { items: [session(1)], total: 1 }, NODES);
    assert.deepEqual(ids(model), ['s-0001']);
    assert.equal(model.row('s-0001').command, 'kept');
    assert.deepEqual(model.filters, { user: 'alice', node: null, state: null });
    assert.equal(model.finishRebuild(second, { items: [], total: 0 }, NODES), null, 'finished already');
  });

  test('a rebuild for another page or filters replaces the rows wholesale and forgets tombstones', () => {
    const model = loaded({ items: [session(1), session(2)], limit: 2 });
    model.apply(event('closed', session(2)));
    const token = model.beginRebuild({ offset: 2, limit: 2, filters: { node: 'node2' } });
    assert.match(model.query(), /node=node2&limit=2&offset=2/);
    model.finishRebuild(token, { items: [session(5, { node: 'node2' })], total: 3 });
    assert.deepEqual(ids(model), ['s-0005']);
    assert.equal(model.total, 3);
    assert.equal(model.page.text, '3–3 of 3');
  });

  test('after the rebuild, live events apply at once', () => {
    const model = loaded({ items: [session(1)], limit: 10 });
    assert.equal(model.apply(event('opened', session(2))).rows, true);
    assert.deepEqual(ids(model), ['s-0001', 's-0002']);
  });
});
