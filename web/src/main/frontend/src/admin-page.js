// The admin console: the cluster's sessions (one page at a time) and nodes, kept live by the admin
// event stream, with the admin commands. Everything that decides (what a row shows, what an event
// changes, paging and totals, the stream's resumes) lives in admin-model.js, admin-stream.js and
// admin-format.js; this file only connects them to the DOM.
//
// Nothing here polls: the list is read on load, on `reset`, on other filters or pages, on the
// admin's request, and again shortly while it is partial (part of the cluster did not answer);
// everything else arrives as events. The one-second ticker only redraws the countdowns and ages
// from the local clock.

import { ADMIN_EVENTS_PATH, commandOutcome, createAdminApi, noticeText } from './admin-api.js';
import { formatAge, formatBytes, formatCountdown, formatSize, formatState, idleLeftMs, sessionState } from './admin-format.js';
import { AdminModel, DEFAULT_LIMIT } from './admin-model.js';
import { showAccount } from './account.js';
import { AdminEventStream } from './admin-stream.js';
import { ReconnectBackoff } from './backoff.js';

/** Countdowns show whole seconds. */
const TICK_MS = 1000;

/** If the stream has not opened by then (a proxy holding it, say), show the list anyway. */
const FIRST_LOAD_FALLBACK_MS = 2000;

/** A drain or undrain shows up in GET nodes a moment after its 200 (the flag travels through Hazelcast). */
const NODE_CONFIRM_DELAY_MS = 1500;

/** A partial list (part of the cluster did not answer in time) is read again this soon. */
const PARTIAL_RETRY_MS = 3000;

/** Countdowns below this are marked, so the sessions about to end stand out. */
const IDLE_SOON_MS = 60_000;

/**
 * A rebuild that failed (server restarting, network down) is tried again after 1 s, then 2 s, 4 s
 * ... up to 30 s, with jitter: until it succeeds the page holds every event in its buffer and shows
 * an old list.
 */
const REBUILD_BACKOFF = { firstDelayMs: 1000, baseDelayMs: 2000, maxDelayMs: 30_000 };

/**
 * The unsafe single-user mode, and shells that can reach the server's internal ports
 * (docs/isolation.md), are shown to every admin, as they are logged; so is the consent policy for
 * observing (docs/configuration.md), which makes "Observe" wait for the user.
 */
async function showNodeSettings(warning, networkWarning, observePolicy) {
  try {
    const response = await fetch('api/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const me = response.ok ? await response.json() : {};
    warning.hidden = me.shells !== 'unsafe-single-user';
    // unchecked: the node could not tell (its log says why), so it is shown as well.
    networkWarning.hidden = me.shellNetwork !== 'unguarded' && me.shellNetwork !== 'unchecked';
    observePolicy.hidden = me.observe !== 'consent';
  } catch {
    // The console works without it; the server's log says the same at every start.
  }
}

function main() {
  showAccount();
  const el = {
    error: byId('admin-error'),
    outcome: byId('outcome'),
    streamStatus: byId('stream-status'),
    nodes: byId('nodes').tBodies[0],
    sessions: byId('sessions').tBodies[0],
    empty: byId('sessions-empty'),
    total: byId('total'),
    filters: byId('filters'),
    user: byId('filter-user'),
    node: byId('filter-node'),
    state: byId('filter-state'),
    pageSize: byId('page-size'),
    nodeNames: byId('node-names'),
    reload: byId('reload'),
    noticeAll: byId('notice-all'),
    previous: byId('prev-page'),
    next: byId('next-page'),
    pageInfo: byId('page-info'),
    newSessions: byId('new-sessions'),
    newSessionsText: byId('new-sessions-text'),
    newSessionsReload: byId('new-sessions-reload'),
  };

  const api = createAdminApi();
  showNodeSettings(byId('isolation-warning'), byId('network-warning'), byId('observe-policy'));
  const model = new AdminModel({ limit: Number(el.pageSize.value) || DEFAULT_LIMIT });
  const rowElements = new Map();
  let forbidden = false;
  let loadedOnce = false;
  let nodesFetch = null;
  const sessionFetches = new Set();
  const rebuildBackoff = new ReconnectBackoff(REBUILD_BACKOFF);
  let rebuildRetry = null;

  // -------------------------------------------------------------------------------------------
  // Rendering, batched: a reset replays thousands of events, the table is drawn once after them.

  const dirty = { rows: false, total: false, nodes: false };
  let renderQueued = false;
  function changed(changes) {
    if (changes === null) return;
    dirty.rows ||= changes.rows;
    dirty.total ||= changes.total;
    dirty.nodes ||= changes.nodes;
    if (changes.refetchNodes) refetchNodes();
    if (changes.fetchSession) refetchSession(changes.fetchSession);
    if (!renderQueued && (dirty.rows || dirty.total || dirty.nodes)) {
      renderQueued = true;
      requestAnimationFrame(render);
    }
  }

  function render() {
    renderQueued = false;
    const now = Date.now();
    if (dirty.rows) renderSessions(now);
    if (dirty.rows || dirty.total) renderPager();
    if (dirty.nodes) renderNodes();
    dirty.rows = dirty.total = dirty.nodes = false;
  }

  function renderSessions(now) {
    const rows = model.rows;
    const wanted = new Set(rows.map((r) => r.id));
    for (const [id, tr] of rowElements) {
      if (!wanted.has(id)) {
        tr.remove();
        rowElements.delete(id);
      }
    }
    let previous = null;
    for (const record of rows) {
      let tr = rowElements.get(record.id);
      if (tr === undefined) {
        tr = createSessionRow(record.id);
        rowElements.set(record.id, tr);
      }
      // The model replaces a record on every accepted update, so identity says "changed".
      if (tr.tetherRecord !== record) fillSessionRow(tr, record, now);
      const place = previous === null ? el.sessions.firstElementChild : previous.nextElementSibling;
      if (place !== tr) el.sessions.insertBefore(tr, place);
      previous = tr;
    }
    el.empty.hidden = rows.length > 0 || model.rebuilding;
  }

  function renderPager() {
    const page = model.page;
    el.total.textContent = String(model.total);
    el.pageInfo.textContent = page.text;
    el.previous.disabled = !page.hasPrevious;
    el.next.disabled = !page.hasNext;
    const beyond = model.beyondPage;
    el.newSessions.hidden = beyond === 0;
    el.newSessionsText.textContent = `${beyond} new session${beyond === 1 ? '' : 's'} not on this page —`;
  }

  function renderNodes() {
    const nodes = model.nodes;
    const rows = nodes.map((node) => {
      const tr = document.createElement('tr');
      tr.dataset.node = node.node;
      tr.dataset.draining = String(node.draining === true);
      const drain = button('drain', 'Drain', 'Take no new sessions on this node');
      const undrain = button('undrain', 'Undrain', 'Take new sessions on this node again');
      drain.hidden = node.draining === true;
      undrain.hidden = node.draining !== true;
      tr.append(
        cell('node', node.node),
        cell('url', node.url ?? ''),
        cell('sessions num', node.partial === true ? `≥${node.sessions}` : String(node.sessions ?? 0)), // partial: a lower bound
        cell('draining', node.draining ? 'draining' : 'no'),
        cellWith('actions', drain, undrain),
      );
      return tr;
    });
    el.nodes.replaceChildren(...rows);
    el.nodeNames.replaceChildren(...nodes.map((node) => Object.assign(document.createElement('option'), { value: node.node })));
  }

  /** The clock moved: countdowns and ages only, cell by cell, and only where the text changes. */
  function tick() {
    const now = Date.now();
    for (const tr of rowElements.values()) fillClockCells(tr, tr.tetherRecord, now);
  }

  // -------------------------------------------------------------------------------------------
  // Loading

  /** Reads the page (and the nodes) afresh; events meanwhile are held and applied after it. */
  async function rebuild(params) {
    if (forbidden) return;
    loadedOnce = true;
    clearTimeout(rebuildRetry);
    rebuildRetry = null;
    const token = model.beginRebuild(params);
    el.sessions.parentElement.setAttribute('aria-busy', 'true');
    try {
      const [list, nodes] = await Promise.all([api.sessions(model.query()), api.nodes()]);
      const changes = model.finishRebuild(token, list, nodes);
      if (changes === null) return; // a later rebuild took over
      el.sessions.parentElement.removeAttribute('aria-busy');
      rebuildBackoff.reset();
      showError(null);
      changed(changes);
      // Part of the cluster did not answer: what is shown is partial, and read again shortly.
      byId('partial-warning').hidden = list.partial !== true;
      if (list.partial === true) rebuildRetry = setTimeout(() => rebuild(), PARTIAL_RETRY_MS);
      const page = model.page;
      // Sessions ended since this page was chosen and it is now past the end: show the last one.
      if (model.rows.length === 0 && model.offset > 0 && page.lastOffset < model.offset) {
        rebuild({ offset: page.lastOffset });
      }
    } catch (error) {
      if (!model.isCurrentRebuild(token)) return;
      el.sessions.parentElement.removeAttribute('aria-busy');
      failed(error);
      if (!forbidden && error.error !== 'login-required') {
        rebuildRetry = setTimeout(() => rebuild(), rebuildBackoff.nextDelay());
      }
    }
  }

  function refetchNodes() {
    if (nodesFetch !== null || forbidden) return;
    nodesFetch = api.nodes()
      .then((nodes) => {
        model.setNodes(nodes);
        changed({ rows: false, total: false, nodes: true, refetchNodes: false });
      })
      .catch(failed)
      .finally(() => {
        nodesFetch = null;
      });
  }

  /** Reads one shown session again (an event changed it without its snapshot). */
  function refetchSession(id) {
    if (forbidden || sessionFetches.has(id)) return;
    sessionFetches.add(id);
    api.session(id)
      .then((record) => changed(model.applySnapshot(id, record)))
      .catch((error) => {
        if (error.error === 'no-such-session') changed(model.applySnapshot(id, null));
        else failed(error);
      })
      .finally(() => sessionFetches.delete(id));
  }

  function failed(error) {
    showError(error.message);
    if (error.forbidden) {
      // Nothing on this page works without the role; stop asking.
      forbidden = true;
      stream.stop();
      el.streamStatus.textContent = 'forbidden';
      for (const control of document.querySelectorAll('button, input, select')) control.disabled = true;
    }
  }

  function showError(message) {
    el.error.hidden = message === null;
    el.error.textContent = message ?? '';
  }

  function currentFilters() {
    return { user: el.user.value, node: el.node.value, state: el.state.value };
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  async function command(what, run) {
    el.outcome.dataset.outcome = 'pending';
    el.outcome.textContent = `${what}: sending…`;
    try {
      const answer = await run();
      el.outcome.dataset.outcome = 'done';
      el.outcome.textContent = commandOutcome(what, answer);
      return true;
    } catch (error) {
      el.outcome.dataset.outcome = 'error';
      el.outcome.textContent = commandOutcome(what, error);
      failed(error);
      return false;
    }
  }

  function askNotice(whom) {
    const text = window.prompt(`Notice to ${whom} (1 to 1000 characters):`, '');
    if (text === null) return null; // cancelled
    const message = noticeText(text);
    if (message === null) {
      el.outcome.dataset.outcome = 'error';
      el.outcome.textContent = 'notice: a notice needs 1 to 1000 characters; nothing was sent.';
    }
    return message;
  }

  el.sessions.addEventListener('click', (event) => {
    const target = event.target.closest('button');
    const tr = target?.closest('tr[data-session-id]');
    if (!target || !tr) return;
    const id = tr.dataset.sessionId;
    const user = tr.tetherRecord?.user ?? '?';
    if (target.classList.contains('kill')) {
      if (window.confirm(`Kill session ${id} of ${user}? Its shell ends and its clients are closed.`)) {
        command(`kill ${id}`, () => api.kill(id));
      }
    } else if (target.classList.contains('notice')) {
      const message = askNotice(`session ${id} of ${user}`);
      if (message !== null) command(`notice to ${id}`, () => api.notice(id, message));
    } else if (target.classList.contains('detach')) {
      command(`detach ${id}`, () => api.detach(id));
    }
  });

  el.nodes.addEventListener('click', async (event) => {
    const target = event.target.closest('button');
    const tr = target?.closest('tr[data-node]');
    if (!target || !tr) return;
    const node = tr.dataset.node;
    const drain = target.classList.contains('drain');
    if (!drain && !target.classList.contains('undrain')) return;
    const ok = await command(`${drain ? 'drain' : 'undrain'} ${node}`, () => (drain ? api.drain(node) : api.undrain(node)));
    if (ok) {
      // Shown at once; GET nodes confirms it once the node has carried the command out.
      model.setNodes(model.nodes.map((n) => (n.node === node ? { ...n, draining: drain } : n)));
      changed({ rows: false, total: false, nodes: true, refetchNodes: false });
      setTimeout(refetchNodes, NODE_CONFIRM_DELAY_MS);
    }
  });

  el.noticeAll.addEventListener('click', () => {
    const message = askNotice('every attached client of the cluster');
    if (message !== null) command('notice to all', () => api.noticeAll(message));
  });

  el.filters.addEventListener('submit', (event) => {
    event.preventDefault();
    rebuild({ filters: currentFilters(), limit: Number(el.pageSize.value), offset: 0 });
  });
  el.pageSize.addEventListener('change', () => rebuild({ limit: Number(el.pageSize.value), offset: 0 }));
  el.state.addEventListener('change', () => rebuild({ filters: currentFilters(), offset: 0 }));
  el.reload.addEventListener('click', () => rebuild());
  el.newSessionsReload.addEventListener('click', () => rebuild({ offset: model.page.isLast ? model.offset : model.page.lastOffset }));
  el.previous.addEventListener('click', () => rebuild({ offset: model.page.previousOffset }));
  el.next.addEventListener('click', () => rebuild({ offset: model.page.nextOffset }));

  // -------------------------------------------------------------------------------------------
  // The stream

  const stream = new AdminEventStream({
    url: ADMIN_EVENTS_PATH,
    createEventSource: (url) => new EventSource(url),
    handlers: {
      status(state) {
        if (forbidden) return;
        el.streamStatus.dataset.state = state;
        el.streamStatus.textContent = state;
        // A stream that fails at once may be refused (403): the list says why.
        if (state === 'reconnecting' && !loadedOnce) rebuild();
      },
      rebuild: () => rebuild(),
      session: (event) => changed(model.apply(event)),
    },
  });

  // For automated browser tests: a read-only look at what the console holds.
  Object.defineProperty(window, 'tetherAdmin', {
    value: Object.freeze({
      state: () => ({
        stream: stream.state,
        position: stream.position,
        total: model.total,
        offset: model.offset,
        limit: model.limit,
        rebuilding: model.rebuilding,
        rows: model.rows.map((r) => r.id),
      }),
    }),
    enumerable: true,
  });

  stream.start();
  setTimeout(() => {
    if (!loadedOnce) rebuild();
  }, FIRST_LOAD_FALLBACK_MS);
  setInterval(tick, TICK_MS);
}

// ---------------------------------------------------------------------------------------------
// Rows

const SESSION_CELLS = [
  'id', 'user', 'node', 'state', 'created', 'last-activity', 'idle-left', 'size', 'output-bytes', 'command',
];

function createSessionRow(id) {
  const tr = document.createElement('tr');
  tr.dataset.sessionId = id;
  const cells = SESSION_CELLS.map((name) => cell(name, ''));
  const observe = document.createElement('a');
  observe.className = 'observe button';
  observe.href = `index.html?observe=${encodeURIComponent(id)}`;
  observe.target = '_blank';
  observe.rel = 'noopener';
  observe.textContent = 'Observe';
  observe.title = 'Watch this session read-only in a new tab';
  const actions = cellWith(
    'actions',
    button('kill', 'Kill', 'End the session: its shell stops'),
    button('notice', 'Notice', 'Show a message to its clients'),
    button('detach', 'Detach', 'Close its connections; the session goes on'),
    observe,
  );
  tr.append(...cells, actions);
  return tr;
}

function fillSessionRow(tr, record, now) {
  tr.tetherRecord = record;
  const c = tr.tetherCells ?? (tr.tetherCells = cellsByClass(tr));
  const state = sessionState(record);
  tr.dataset.state = state;
  tr.dataset.revision = String(record.revision ?? '');
  setText(c.id, record.id);
  c.id.title = record.id;
  setText(c.user, record.user ?? '');
  setText(c.node, record.node ?? '');
  setText(c.state, formatState(record));
  c.state.dataset.state = state;
  setText(c.size, formatSize(record));
  setText(c['output-bytes'], formatBytes(record.outputBytes));
  c['output-bytes'].title = Number.isFinite(record.outputBytes) ? `${record.outputBytes} bytes` : '';
  setText(c.command, record.command ?? '');
  c.command.title = record.command ?? '';
  c.created.title = record.created ?? '';
  c['last-activity'].title = record.lastActivity ?? '';
  c['idle-left'].title = record.idleDeadline ? `idle limit at ${record.idleDeadline}` : 'no idle limit';
  fillClockCells(tr, record, now);
}

function fillClockCells(tr, record, now) {
  const c = tr.tetherCells;
  const left = idleLeftMs(record, now);
  setText(c['idle-left'], formatCountdown(left));
  c['idle-left'].classList.toggle('idle-soon', left !== null && left < IDLE_SOON_MS);
  setText(c.created, formatAge(record.created, now));
  setText(c['last-activity'], formatAge(record.lastActivity, now));
}

function cellsByClass(tr) {
  const cells = {};
  for (const td of tr.cells) cells[td.classList[0]] = td;
  return cells;
}

// ---------------------------------------------------------------------------------------------
// Small DOM helpers

function byId(id) {
  return document.getElementById(id);
}

function cell(className, text) {
  const td = document.createElement('td');
  td.className = className;
  td.textContent = text;
  return td;
}

function cellWith(className, ...children) {
  const td = document.createElement('td');
  td.className = className;
  td.append(...children);
  return td;
}

function button(className, label, title) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = label;
  b.title = title;
  return b;
}

/** Writes only on change: the ticker visits every row every second. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

main();
