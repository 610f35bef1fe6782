// The terminal page: xterm.js in the window, wired to a TerminalClient. Everything that decides
// (protocol, offsets, reconnects) lives in terminal-client.js and its modules; this file only
// connects them to the DOM, the browser's storage and its events.

import { FitAddon } from '../vendor/xterm/addon-fit.mjs';
import { Terminal } from '../vendor/xterm/xterm.mjs';
import { SUBPROTOCOL, terminalSocketUrl } from './protocol.js';
import { BANNER, STATUS, TerminalClient } from './terminal-client.js';
import { TICKETS_PATH, requestTicket } from './tickets.js';

/** Per tab: a reload resumes this tab's session, a second tab starts its own. */
const SESSION_KEY = 'tether.sessionId';

/**
 * When the page last reloaded to reach the login page. If the ticket endpoint still says "log in"
 * right after a reload, reloading again would only loop; the page then waits for the user.
 */
const LOGIN_RELOAD_KEY = 'tether.loginReloadAt';
const LOGIN_RELOAD_GUARD_MS = 15_000;

/** Window resizes arrive in bursts; the shell needs only the size the window settles at. */
const RESIZE_DEBOUNCE_MS = 100;

/** Banner rows top to bottom: what needs attention first. */
const BANNER_ORDER = [BANNER.RECONNECT, BANNER.IDLE, BANNER.BROADCAST];

const THEME = {
  background: '#0f1117',
  foreground: '#d8dee9',
  cursor: '#e5e9f0',
  cursorAccent: '#0f1117',
  selectionBackground: '#3b4252',
  black: '#1c1f26',
  red: '#e06c75',
  green: '#98c379',
  yellow: '#e5c07b',
  blue: '#61afef',
  magenta: '#c678dd',
  cyan: '#56b6c2',
  white: '#d8dee9',
  brightBlack: '#5c6370',
  brightRed: '#ef8891',
  brightGreen: '#b5e08f',
  brightYellow: '#f0d197',
  brightBlue: '#82c4ff',
  brightMagenta: '#d99ae9',
  brightCyan: '#7fd3dd',
  brightWhite: '#ffffff',
};

/** Status text while watching someone else's session (data-state stays the plain state). */
const OBSERVING_TEXT = 'observing (read-only)';

/** `index.html?observe=<sessionId>`: the session an admin watches read-only, or null. */
function observedSessionId() {
  const id = new URLSearchParams(location.search).get('observe');
  return id === null || id === '' ? null : id;
}

function main() {
  const observe = observedSessionId();
  const elements = {
    terminal: document.getElementById('terminal'),
    status: document.getElementById('status'),
    banner: document.getElementById('banner'),
    ended: document.getElementById('ended'),
    endedSentence: document.getElementById('ended-sentence'),
    newSession: document.getElementById('new-session'),
    reattach: document.getElementById('reattach'),
    login: document.getElementById('login'),
    backToAdmin: document.getElementById('back-to-admin'),
  };
  if (observe !== null) elements.status.dataset.mode = 'observe';

  const term = new Terminal({
    fontFamily: '"JetBrains Mono", "Cascadia Mono", "Fira Code", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
    fontSize: 14,
    lineHeight: 1.1,
    scrollback: 5000,
    theme: THEME,
    // An observer's keys must go nowhere: xterm then produces no data events at all.
    disableStdin: observe !== null,
    cursorBlink: observe === null,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(elements.terminal);
  fitToContainer(fit);

  const storage = tabStorage();
  const client = new TerminalClient({
    view: createView(term, elements, storage, observe !== null),
    requestTicket: () => requestTicket(globalThis.fetch.bind(globalThis), TICKETS_PATH),
    openSocket: () => new WebSocket(terminalSocketUrl(location.href), SUBPROTOCOL),
    // The tab's own session stays in sessionStorage while it observes another one; the client
    // does not use the store when observing, and this one could not touch it anyway.
    sessionStore: observe !== null ? NO_SESSION_STORE : {
      load: () => storage.get(SESSION_KEY),
      save: (id) => storage.set(SESSION_KEY, id),
      clear: () => storage.remove(SESSION_KEY),
    },
    observe,
  });

  if (observe === null) {
    const encoder = new TextEncoder();
    // onData: typed keys and pastes as UTF-16 strings. onBinary: the few reports xterm produces as
    // raw bytes (e.g. X10 mouse), one byte per char, which UTF-8 encoding would corrupt.
    term.onData((data) => client.input(encoder.encode(data)));
    term.onBinary((data) => client.input(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    term.onResize(({ cols, rows }) => client.resize(cols, rows));
  }

  // The container, not just the window: banners, devtools or a zoom change resize it too. An
  // observer keeps the observed terminal's size instead (the server sends it).
  if (observe === null) {
    new ResizeObserver(debounce(() => fitToContainer(fit), RESIZE_DEBOUNCE_MS)).observe(elements.terminal);
  }

  // Hidden tabs and sleeping laptops run timers late or never; check the connection on return.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') client.wake();
  });
  window.addEventListener('online', () => client.wake());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) client.wake();
  });

  elements.newSession.addEventListener('click', () => {
    client.newSession();
    term.focus();
  });
  elements.reattach.addEventListener('click', () => {
    client.reattach();
    term.focus();
  });
  elements.login.addEventListener('click', () => location.reload());

  // For automated browser tests: a read-only look at the connection, nothing that steers it.
  Object.defineProperty(window, 'tether', {
    value: Object.freeze({ state: () => client.state() }),
    enumerable: true,
  });

  client.start();
  if (observe === null) term.focus();
}

/** An observer keeps no session id of its own (see TerminalClient's `observe`). */
const NO_SESSION_STORE = Object.freeze({ load: () => null, save: () => {}, clear: () => {} });

/** The page side of TerminalClient's view (see the TerminalView typedef there). */
function createView(term, elements, storage, observing) {
  const bannerRows = new Map();

  return {
    setStatus(status) {
      elements.status.textContent = observing && status === STATUS.CONNECTED ? OBSERVING_TEXT : status;
      elements.status.dataset.state = status;
      const label = status === STATUS.CONNECTED ? (observing ? 'observing' : null) : status;
      document.title = label === null ? 'Tether' : `Tether (${label})`;
      if (status === STATUS.CONNECTED) storage.remove(LOGIN_RELOAD_KEY);
    },

    write(bytes, done) {
      term.write(bytes, done);
    },

    writeNote(text, done) {
      // Dim, on a line of its own, so it reads as ours and not as the shell's.
      const lead = term.buffer.active.cursorX === 0 ? '' : '\r\n';
      term.write(`${lead}\x1b[0;2m[tether] ${text}\x1b[0m\r\n`, done);
    },

    reset() {
      term.reset();
    },

    size() {
      return { cols: term.cols, rows: term.rows };
    },

    sessionSize(cols, rows) {
      // An observer draws the screen at its user's size, whatever its own window is; the page
      // scrolls when that is larger than the window.
      if (observing && (cols !== term.cols || rows !== term.rows)) term.resize(cols, rows);
    },

    banner(kind, content) {
      let row = bannerRows.get(kind);
      if (content === null) {
        row?.remove();
        bannerRows.delete(kind);
      } else {
        if (!row) {
          row = document.createElement('div');
          row.className = 'banner-row';
          row.dataset.kind = kind;
          row.setAttribute('role', kind === BANNER.BROADCAST ? 'status' : 'alert');
          bannerRows.set(kind, row);
        }
        fillBannerRow(row, content);
        elements.banner.append(...BANNER_ORDER.filter((k) => bannerRows.has(k)).map((k) => bannerRows.get(k)));
      }
      elements.banner.hidden = bannerRows.size === 0;
    },

    ended(ending) {
      term.options.disableStdin = observing || ending !== null;
      if (ending === null) {
        elements.ended.hidden = true;
        elements.reattach.hidden = true;
        elements.login.hidden = true;
        elements.backToAdmin.hidden = true;
        return;
      }
      elements.endedSentence.textContent = ending.sentence;
      elements.ended.dataset.code = ending.code === null ? '' : String(ending.code);
      // An observer has no session of its own to start: it goes back to the console instead.
      elements.newSession.hidden = ending.loginRequired || observing;
      elements.backToAdmin.hidden = ending.loginRequired || !observing;
      elements.reattach.hidden = !ending.canReattach;
      elements.login.hidden = !ending.loginRequired;
      elements.ended.hidden = false;
      const first = ending.loginRequired ? elements.login : observing ? elements.backToAdmin : elements.newSession;
      first.focus();
    },

    loginRequired() {
      // The container shows its login page in place of a protected page without a login, and
      // brings the user back here afterwards; the session id in this tab resumes the shell.
      const last = Number(storage.get(LOGIN_RELOAD_KEY));
      if (Number.isFinite(last) && Date.now() - last < LOGIN_RELOAD_GUARD_MS) return;
      storage.set(LOGIN_RELOAD_KEY, String(Date.now()));
      location.reload();
    },
  };
}

function fillBannerRow(row, content) {
  const text = document.createElement('span');
  text.className = 'banner-text';
  text.textContent = content.text;
  const parts = [text];
  if (content.action) {
    const action = document.createElement('button');
    action.type = 'button';
    action.className = 'banner-action';
    action.textContent = content.action.label;
    action.addEventListener('click', content.action.run);
    parts.push(action);
  }
  if (content.dismiss) {
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'banner-dismiss';
    dismiss.setAttribute('aria-label', 'Dismiss');
    dismiss.textContent = '×';
    dismiss.addEventListener('click', content.dismiss);
    parts.push(dismiss);
  }
  row.replaceChildren(...parts);
}

function fitToContainer(fit) {
  try {
    fit.fit();
  } catch (error) {
    // A container without layout (display: none while loading) has no size to fit; the next
    // resize observation fits it.
    console.debug('tether: fit skipped:', error.message);
  }
}

/**
 * sessionStorage, or a page-lifetime stand-in where the browser refuses storage (some privacy
 * modes throw on access): the terminal still works, only a reload starts a new session.
 */
function tabStorage() {
  let store;
  try {
    store = window.sessionStorage;
    const probe = '__tether_probe__';
    store.setItem(probe, probe);
    store.removeItem(probe);
  } catch {
    const memory = new Map();
    store = {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => memory.set(key, String(value)),
      removeItem: (key) => memory.delete(key),
    };
  }
  return {
    get: (key) => store.getItem(key),
    set: (key, value) => store.setItem(key, value),
    remove: (key) => store.removeItem(key),
  };
}

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

main();
