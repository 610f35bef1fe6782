// What the admin console shows, kept up to date from the event stream (docs/admin-api.md): one
// page of the cluster's sessions (filtered, by offset), the total behind it, and the nodes with
// their session counts. Pure: the page feeds it list answers and events and renders what it says.
//
// The rules that keep it right across reconnects and replays:
// - Rows are keyed by session id: an event can update a row or remove it, never add a second one.
// - Each session record carries a `revision` its owner bumps on every rewrite; a snapshot older
//   than the one shown never overwrites it, so events may arrive late or twice.
// - A `closed` session is remembered (a tombstone) until the next rebuild: a late or replayed
//   event for it neither brings the row back nor counts it again.
// - A rebuild (first load, `reset`, other filters or page) buffers the events that arrive while
//   the list is fetched and applies them after it. Those events may predate the list (a `reset`
//   replays every event the node holds), so while catching up, totals change only where the
//   page itself proves a session new or gone; live events afterwards follow the rules exactly.

import { sessionState } from './admin-format.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const STATES = Object.freeze(['attached', 'detached']);

/** Tombstones and off-page knowledge kept between rebuilds, at most (oldest forgotten first). */
export const MAX_KNOWN = 50_000;

// ---------------------------------------------------------------------------------------------
// Filters and paging

/**
 * @typedef {{user: string|null, node: string|null, state: 'attached'|'detached'|null}} Filters
 * null: no filter on that field.
 */

/** Filters as the form gives them (blank means "all"), trimmed and checked. */
export function normalizeFilters({ user = null, node = null, state = null } = {}) {
  const text = (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const s = text(state);
  return { user: text(user), node: text(node), state: STATES.includes(s) ? s : null };
}

/** A limit the API accepts (1..1000); anything else falls back to the default. */
export function normalizeLimit(limit) {
  const n = Number(limit);
  return Number.isInteger(n) && n >= 1 && n <= MAX_LIMIT ? n : DEFAULT_LIMIT;
}

/** The query string of GET sessions for these filters and this page. */
export function sessionsQuery(filters, { limit, offset }) {
  const params = new URLSearchParams();
  const f = normalizeFilters(filters);
  if (f.user !== null) params.set('user', f.user);
  if (f.node !== null) params.set('node', f.node);
  if (f.state !== null) params.set('state', f.state);
  params.set('limit', String(normalizeLimit(limit)));
  params.set('offset', String(Math.max(0, Math.floor(Number(offset) || 0))));
  return params.toString();
}

/** Whether a session (a record, or what a `closed` event tells of it) passes the filters. */
export function matchesFilters(filters, session) {
  if (filters.user !== null && session.user !== filters.user) return false;
  if (filters.node !== null && session.node !== filters.node) return false;
  if (filters.state !== null && sessionState(session) !== filters.state) return false;
  return true;
}

/**
 * The pager: which rows are shown ("101–200 of 10000") and where the neighbours start.
 * The last page is reached when offset + limit >= total (docs/admin-api.md).
 */
export function pageInfo({ offset, limit, total, shown }) {
  const isLast = offset + limit >= total;
  return {
    from: shown === 0 ? 0 : offset + 1,
    to: offset + shown,
    total,
    isLast,
    hasPrevious: offset > 0,
    hasNext: !isLast,
    previousOffset: Math.max(0, offset - limit),
    nextOffset: offset + limit,
    // Past the end (sessions ended since the page was chosen): the last page that has rows.
    lastOffset: total === 0 ? 0 : Math.floor((total - 1) / limit) * limit,
    text: shown === 0 ? `0 of ${total}` : `${offset + 1}–${offset + shown} of ${total}`,
  };
}

/** The list's order: created, then id (docs/admin-api.md, GET sessions). */
export function compareSessions(a, b) {
  const ca = String(a.created ?? '');
  const cb = String(b.created ?? '');
  if (ca !== cb) return ca < cb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function revisionOf(session) {
  return Number.isFinite(session?.revision) ? session.revision : 0;
}

// ---------------------------------------------------------------------------------------------
// The model

/**
 * @typedef {object} Changes what one apply or rebuild changed, for the page to render
 * @property {boolean} rows the shown rows (content, order or membership) changed
 * @property {boolean} total the total or the "new beyond this page" hint changed
 * @property {boolean} nodes node counts changed
 * @property {boolean} refetchNodes an event named a node the page does not know
 * @property {string|null} fetchSession a shown session an event changed without saying how (an
 *   event from a server that does not send snapshots yet): GET sessions/{id} and applySnapshot
 */

export class AdminModel {
  #filters;
  #limit;
  #offset;

  /** id → record, in page order. */
  #rows = new Map();
  #total = 0;
  /** Sessions counted into total since the rebuild that the page does not show. */
  #beyondPage = 0;
  /** node name → {node, url, sessions, draining}, in the server's order. */
  #nodes = new Map();
  #nodesLoaded = false;

  /** id → {revision, matched, closed}: every session an event or the list told about. */
  #known = new Map();

  /** Events held while a rebuild's list is on its way; null when not rebuilding. */
  #buffer = null;
  #generation = 0;

  constructor({ filters = {}, limit = DEFAULT_LIMIT, offset = 0 } = {}) {
    this.#filters = normalizeFilters(filters);
    this.#limit = normalizeLimit(limit);
    this.#offset = Math.max(0, Math.floor(offset));
  }

  get filters() {
    return { ...this.#filters };
  }

  get limit() {
    return this.#limit;
  }

  get offset() {
    return this.#offset;
  }

  get total() {
    return this.#total;
  }

  /** Matching sessions that started since the page was read and are not shown on it. */
  get beyondPage() {
    return this.#beyondPage;
  }

  /** The shown sessions, in page order. */
  get rows() {
    return [...this.#rows.values()];
  }

  row(id) {
    return this.#rows.get(id) ?? null;
  }

  get nodes() {
    return [...this.#nodes.values()];
  }

  get rebuilding() {
    return this.#buffer !== null;
  }

  get page() {
    return pageInfo({ offset: this.#offset, limit: this.#limit, total: this.#total, shown: this.#rows.size });
  }

  /** The GET sessions query for the current filters and page. */
  query() {
    return sessionsQuery(this.#filters, { limit: this.#limit, offset: this.#offset });
  }

  /**
   * Starts a rebuild, optionally for other filters or another page: events are buffered from now
   * until finishRebuild. A rebuild started while another is under way supersedes it (the earlier
   * list answer is then ignored); the buffer is kept, since its events may postdate the new list.
   * @returns {number} the token finishRebuild expects
   */
  beginRebuild({ filters, limit, offset } = {}) {
    if (filters !== undefined) this.#filters = normalizeFilters(filters);
    if (limit !== undefined) this.#limit = normalizeLimit(limit);
    if (offset !== undefined) this.#offset = Math.max(0, Math.floor(offset));
    if (this.#buffer === null) this.#buffer = [];
    this.#generation += 1;
    return this.#generation;
  }

  /**
   * Installs a fresh list page (and node list) and applies the events buffered meanwhile.
   * @param {number} token from beginRebuild
   * @param {{items: object[], total: number}} list the GET sessions answer
   * @param {object[]} [nodes] the GET nodes answer, when fetched with it
   * @returns {Changes|null} null when a later rebuild superseded this one
   */
  finishRebuild(token, list, nodes) {
    if (token !== this.#generation || this.#buffer === null) return null;
    const buffered = this.#buffer;
    this.#buffer = null;

    this.#rows = new Map();
    this.#known = new Map();
    this.#beyondPage = 0;
    const items = Array.isArray(list?.items) ? list.items : [];
    for (const item of items) {
      if (item === null || typeof item !== 'object' || typeof item.id !== 'string') continue;
      this.#rows.set(item.id, item);
      this.#known.set(item.id, { revision: revisionOf(item), matched: true, closed: false });
    }
    this.#total = Number.isSafeInteger(list?.total) && list.total >= 0 ? list.total : this.#rows.size;
    if (Array.isArray(nodes)) this.#loadNodes(nodes);

    const changes = { rows: true, total: true, nodes: Array.isArray(nodes), refetchNodes: false, fetchSession: null };
    for (const event of buffered) merge(changes, this.#applyNow(event, true));
    return changes;
  }

  /** Whether `token` belongs to the rebuild under way (not finished, not superseded). */
  isCurrentRebuild(token) {
    return this.#buffer !== null && token === this.#generation;
  }

  /**
   * Installs a GET nodes answer fetched on its own (a node not seen before appeared in an event).
   * When a rebuild failed, nothing else needs doing: what is shown stays, and events keep being
   * buffered until a later rebuild finishes.
   */
  setNodes(nodes) {
    this.#loadNodes(nodes);
  }

  /**
   * Applies a record read with GET sessions/{id} (see Changes.fetchSession) like an event's
   * snapshot; `null` (404 no-such-session) like `closed`.
   */
  applySnapshot(id, record) {
    return this.apply(record === null
      ? { type: 'closed', sessionId: id }
      : { type: 'snapshot', sessionId: id, user: record.user, node: record.node, session: record });
  }

  /**
   * Applies one session event (the `data` of an event named `session`).
   * @returns {Changes} nothing changed while a rebuild buffers it
   */
  apply(event) {
    if (event === null || typeof event !== 'object') return noChanges();
    if (this.#buffer !== null) {
      this.#buffer.push(event);
      return noChanges();
    }
    return this.#applyNow(event, false);
  }

  // -------------------------------------------------------------------------------------------

  #applyNow(event, catchingUp) {
    const changes = noChanges();
    const session = event.session !== null && typeof event.session === 'object' ? event.session : null;
    const id = typeof event.sessionId === 'string' ? event.sessionId : session?.id;
    if (typeof id !== 'string') return changes;
    const node = session?.node ?? event.node;
    if (typeof node === 'string' && this.#nodesLoaded && !this.#nodes.has(node)) changes.refetchNodes = true;

    // Declared lost while its node was cut off, yet alive: it comes back as if it had just opened.
    if (event.type === 'returned') this.#known.delete(id);
    const known = this.#known.get(id);
    if (known?.closed) return changes; // late or replayed: the session is gone for good

    if (event.type === 'closed') {
      this.#closed(id, event, known, catchingUp, changes);
      return changes;
    }
    // An event without its snapshot (an older server) cannot update a row by itself.
    if (session === null) {
      if (this.#rows.has(id)) changes.fetchSession = id;
      return changes;
    }
    const revision = revisionOf(session);
    if (known !== undefined && revision < known.revision) return changes;

    const record = session.id === id ? session : { ...session, id };
    const matched = matchesFilters(this.#filters, record);
    const shown = this.#rows.has(id);

    if (shown) {
      if (matched) {
        this.#rows.set(id, record);
      } else {
        // It left the filter (e.g. detached while the page lists the attached ones).
        this.#rows.delete(id);
        this.#total = Math.max(0, this.#total - 1);
        changes.total = true;
      }
      changes.rows = true;
      this.#remember(id, { revision, matched, closed: false });
      return changes;
    }

    // Not shown. Was it counted in total before this event?
    let wasCounted;
    let isNew = false;
    if (known !== undefined) {
      wasCounted = known.matched;
    } else if (event.type === 'opened' || event.type === 'returned') {
      isNew = true;
      wasCounted = false;
    } else {
      wasCounted = matchesFilters(this.#filters, { ...record, state: previousState(event, record) });
    }

    if (catchingUp && known === undefined) {
      // The event may predate the list, which then counted the session already. Only a session
      // that would sort onto this last page, yet is not on it, was certainly not in the list.
      if (matched && this.#fitsOnPage(record)) {
        this.#insert(record);
        this.#total += 1;
        changes.rows = true;
        changes.total = true;
        if (isNew) this.#nodeDelta(node, 1, changes);
      }
      this.#remember(id, { revision, matched, closed: false });
      return changes;
    }

    if (isNew) this.#nodeDelta(node, 1, changes);
    if (matched && !wasCounted) {
      if (this.#fitsOnPage(record)) {
        this.#insert(record);
        changes.rows = true;
      } else {
        this.#beyondPage += 1;
      }
      this.#total += 1;
      changes.total = true;
    } else if (!matched && wasCounted) {
      this.#total = Math.max(0, this.#total - 1);
      changes.total = true;
    }
    this.#remember(id, { revision, matched, closed: false });
    return changes;
  }

  #closed(id, event, known, catchingUp, changes) {
    const node = event.node ?? this.#rows.get(id)?.node;
    if (this.#rows.has(id)) {
      // Shown, so the list counted it.
      this.#rows.delete(id);
      this.#total = Math.max(0, this.#total - 1);
      changes.rows = true;
      changes.total = true;
      this.#nodeDelta(node, -1, changes);
    } else if (known !== undefined) {
      if (known.matched) {
        this.#total = Math.max(0, this.#total - 1);
        changes.total = true;
      }
      this.#nodeDelta(node, -1, changes);
    } else if (!catchingUp) {
      // Off the page and unseen since the list: the list counted it if it matched.
      const last = { user: event.user, node: event.node, attachedClients: event.attachedClients, state: event.state };
      if (matchesFilters(this.#filters, last)) {
        this.#total = Math.max(0, this.#total - 1);
        changes.total = true;
      }
      this.#nodeDelta(node, -1, changes);
    }
    this.#remember(id, { revision: Infinity, matched: false, closed: true });
  }

  /** Whether a matching session not shown belongs on this page: the last page, with room, after its start. */
  #fitsOnPage(record) {
    if (this.#offset + this.#limit < this.#total) return false;
    if (this.#rows.size >= this.#limit) return false;
    if (this.#offset > 0) {
      const first = this.#rows.values().next().value;
      // It sorts onto an earlier page; with no row to compare, this page is past the end anyway.
      if (first === undefined || compareSessions(record, first) < 0) return false;
    }
    return true;
  }

  /** Inserts a row at its place in the list's order (a new session is usually the newest). */
  #insert(record) {
    const rows = [...this.#rows.values()];
    let at = rows.length;
    while (at > 0 && compareSessions(record, rows[at - 1]) < 0) at -= 1;
    rows.splice(at, 0, record);
    this.#rows = new Map(rows.map((r) => [r.id, r]));
  }

  #remember(id, entry) {
    this.#known.delete(id);
    this.#known.set(id, entry);
    if (this.#known.size > MAX_KNOWN) {
      const oldest = this.#known.keys().next().value;
      this.#known.delete(oldest);
    }
  }

  #nodeDelta(name, delta, changes) {
    const node = this.#nodes.get(name);
    if (node === undefined) return;
    node.sessions = Math.max(0, (Number(node.sessions) || 0) + delta);
    changes.nodes = true;
  }

  #loadNodes(nodes) {
    this.#nodes = new Map();
    for (const n of Array.isArray(nodes) ? nodes : []) {
      if (n !== null && typeof n === 'object' && typeof n.node === 'string') this.#nodes.set(n.node, { ...n });
    }
    this.#nodesLoaded = true;
  }
}

/**
 * The state a session had before an event, where the event says it: the first client attaching
 * ("attached" with one client) found it detached, the last one leaving ("detached" with none)
 * found it attached. Otherwise the event did not change it. An observer attaching or leaving
 * changes no state: its `detail` starts with the client id followed by " (observer)" (client ids
 * are [A-Za-z0-9_-], so nothing else reads like that).
 */
const OBSERVER_DETAIL = /^[A-Za-z0-9_-]+ \(observer\)/;

function previousState(event, record) {
  const clients = record.attachedClients;
  const observer = typeof event.detail === 'string' && OBSERVER_DETAIL.test(event.detail);
  if (observer) return sessionState(record);
  if (event.type === 'attached' && clients === 1) return 'detached';
  if (event.type === 'detached' && clients === 0) return 'attached';
  return sessionState(record);
}

function noChanges() {
  return { rows: false, total: false, nodes: false, refetchNodes: false, fetchSession: null };
}

function merge(into, from) {
  for (const key of Object.keys(into)) into[key] = into[key] || from[key];
}
