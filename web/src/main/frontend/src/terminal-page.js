// The terminal page: xterm.js in the window, wired to a TerminalClient. Everything that decides
// (protocol, offsets, reconnects) lives in terminal-client.js and its modules; this file only
// connects them to the DOM, the browser's storage and its events.

import { FitAddon } from '../vendor/xterm/addon-fit.mjs';
import { SearchAddon } from '../vendor/xterm/addon-search.mjs';
import { Unicode11Addon } from '../vendor/xterm/addon-unicode11.mjs';
import { WebLinksAddon } from '../vendor/xterm/addon-web-links.mjs';
import { WebglAddon } from '../vendor/xterm/addon-webgl.mjs';
import { Terminal } from '../vendor/xterm/xterm.mjs';
import { fetchAccount } from './account.js';
import { KEYS, KeyBar } from './key-bar.js';
import { SUBPROTOCOL, terminalSocketUrl } from './protocol.js';
import { reattachOffer, sessionRows } from './sessions-model.js';
import { loadSettings, saveSettings } from './settings.js';
import { BANNER, STATUS, TerminalClient } from './terminal-client.js';
import { TICKETS_PATH, requestTicket, ticketsAskedAhead } from './tickets.js';

/** The caller's own sessions (GET), and ending one (POST {id}/end). */
const SESSIONS_PATH = 'api/sessions';

/** `index.html?new`: start a new session in this tab without offering to reattach one. */
const NEW_SESSION_PARAM = 'new';

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
const BANNER_ORDER = [BANNER.RECONNECT, BANNER.IDLE, BANNER.CONSENT, BANNER.OBSERVED, BANNER.BROADCAST];

const DARK_THEME = {
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

const LIGHT_THEME = {
  background: '#fafafa',
  foreground: '#383a42',
  cursor: '#526eff',
  cursorAccent: '#fafafa',
  selectionBackground: '#c9d4f5',
  black: '#383a42',
  red: '#e45649',
  green: '#50a14f',
  yellow: '#986801',
  blue: '#4078f2',
  magenta: '#a626a4',
  cyan: '#0184bc',
  white: '#a0a1a7',
  brightBlack: '#696c77',
  brightRed: '#ca1243',
  brightGreen: '#3d8a3c',
  brightYellow: '#c18401',
  brightBlue: '#2f5fd0',
  brightMagenta: '#8a1f88',
  brightCyan: '#0b6e99',
  brightWhite: '#202227',
};

const THEMES = { dark: DARK_THEME, light: LIGHT_THEME };

/** Where the key bar shows: touch screens and narrow windows. */
const KEY_BAR_MEDIA = '(pointer: coarse), (max-width: 600px)';

/** Status text while watching someone else's session (data-state stays the plain state). */
const OBSERVING_TEXT = 'observing (read-only)';

/** `index.html?observe=<sessionId>`: the session an admin watches read-only, or null. */
function observedSessionId() {
  const id = new URLSearchParams(location.search).get('observe');
  return id === null || id === '' ? null : id;
}

async function main() {
  const observe = observedSessionId();
  const byId = (id) => document.getElementById(id);
  const elements = {
    terminal: byId('terminal'),
    status: byId('status'),
    banner: byId('banner'),
    ended: byId('ended'),
    endedSentence: byId('ended-sentence'),
    newSession: byId('new-session'),
    reattach: byId('reattach'),
    login: byId('login'),
    backToAdmin: byId('back-to-admin'),
  };
  if (observe !== null) elements.status.dataset.mode = 'observe';

  // The first ticket is asked for now, while the account and the terminal load: the node starts
  // making the session's sandbox as it issues it (docs/isolation.md).
  const nextTicket = ticketsAskedAhead(() => requestTicket(globalThis.fetch.bind(globalThis), TICKETS_PATH));
  const account = await fetchAccount();
  const user = account?.user ?? null;
  byId('user-name').textContent = user ?? '';
  byId('admin-link').hidden = account === null || !account.admin;
  const local = localStore();
  let settings = loadSettings(local, user);

  const term = new Terminal({
    fontFamily: '"JetBrains Mono", "Cascadia Mono", "Fira Code", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
    fontSize: settings.fontSize,
    lineHeight: 1.1,
    scrollback: 5000,
    theme: THEMES[settings.theme],
    // An observer's keys must go nowhere: xterm then produces no data events at all.
    disableStdin: observe !== null,
    cursorBlink: observe === null,
    // The unicode addon's version switch is a proposed API.
    allowProposedApi: true,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  const search = new SearchAddon();
  term.loadAddon(search);
  term.loadAddon(new WebLinksAddon());
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
  term.open(elements.terminal);
  const renderer = loadWebglRenderer(term);
  applyTheme(settings.theme);
  fitToContainer(fit);

  const storage = tabStorage();
  const shellTitle = { text: '' };
  let endingOwn = null; // a session this page ended itself: its 4020 reads "You ended it."
  const client = new TerminalClient({
    view: createView(term, elements, storage, observe !== null, shellTitle, () => endingOwn),
    requestTicket: nextTicket,
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

  const keyBar = new KeyBar();
  if (observe === null) {
    const encoder = new TextEncoder();
    const send = (data) => client.input(encoder.encode(data));
    // onData: typed keys and pastes as UTF-16 strings. onBinary: the few reports xterm produces as
    // raw bytes (e.g. X10 mouse), one byte per char, which UTF-8 encoding would corrupt.
    term.onData((data) => send(keyBar.typed(data)));
    term.onBinary((data) => client.input(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    term.onResize(({ cols, rows }) => client.resize(cols, rows));
    setUpKeyBar(byId('key-bar'), keyBar, term, send, () => fitToContainer(fit));
  }

  // The tab's title follows the shell's (OSC 0/2), after Tether's own state.
  term.onTitleChange((title) => {
    shellTitle.text = title;
    updateTitle(elements.status.dataset.state, observe !== null, shellTitle);
  });

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

  setUpSearch(term, search);
  setUpSettings(term, fit, settings, (next) => {
    settings = saveSettings(local, user, next) || next;
    return settings;
  });
  setUpClipboard(term, elements.terminal, () => settings);
  const panel = setUpSessionsPanel({
    client,
    term,
    storage,
    currentId: () => client.state().sessionId,
    endingOwn: (id) => {
      endingOwn = id;
    },
  });

  // For automated browser tests: a read-only look at the connection, nothing that steers it.
  Object.defineProperty(window, 'tether', {
    value: Object.freeze({
      state: () => client.state(),
      renderer: () => renderer.current,
      size: () => ({ cols: term.cols, rows: term.rows }),
      settings: () => ({ ...settings }),
    }),
    enumerable: true,
  });

  if (observe === null && storage.get(SESSION_KEY) === null && !new URLSearchParams(location.search).has(NEW_SESSION_PARAM)) {
    // A tab without a session of its own: offer the user's detached sessions before starting one.
    const offered = await offerReattach(panel, storage);
    if (offered) return; // the offer starts the client when the user has chosen
  }
  client.start();
  if (observe === null) term.focus();
}

/**
 * The WebGL renderer when the browser gives a context, the DOM renderer otherwise; also after the
 * context is lost (a GPU reset, too many contexts), when the addon is disposed and xterm falls back.
 */
function loadWebglRenderer(term) {
  const renderer = { current: 'dom' };
  try {
    const webgl = new WebglAddon();
    webgl.onContextLoss(() => {
      console.info('tether: the WebGL context was lost; drawing with the DOM renderer');
      renderer.current = 'dom';
      webgl.dispose();
    });
    term.loadAddon(webgl);
    renderer.current = 'webgl';
  } catch (error) {
    console.info('tether: no WebGL renderer, drawing with the DOM renderer:', error?.message ?? error);
  }
  return renderer;
}

function applyTheme(theme) {
  document.body.dataset.theme = theme;
  document.querySelector('meta[name="color-scheme"]')?.setAttribute('content', theme);
}

function updateTitle(status, observing, shellTitle) {
  const label = status === STATUS.CONNECTED ? (observing ? 'observing' : null) : status;
  const base = label === null ? 'Tether' : `Tether (${label})`;
  document.title = shellTitle.text === '' ? base : `${shellTitle.text} · ${base}`;
}

/** The search box: Ctrl+Shift+F or the Search button opens it; Enter / Shift+Enter step; Esc closes. */
function setUpSearch(term, search) {
  const bar = document.getElementById('search-bar');
  const input = document.getElementById('search-input');
  const status = document.getElementById('search-status');
  const toggle = document.getElementById('search-toggle');
  const open = () => {
    bar.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    const selection = term.getSelection();
    if (selection !== '' && !selection.includes('\n')) input.value = selection;
    input.focus();
    input.select();
  };
  const close = () => {
    bar.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    search.clearDecorations?.();
    term.focus();
  };
  const find = (backwards) => {
    const text = input.value;
    if (text === '') {
      status.textContent = '';
      delete status.dataset.found;
      return;
    }
    const found = backwards ? search.findPrevious(text) : search.findNext(text);
    status.textContent = found ? 'found' : 'no match';
    status.dataset.found = String(found);
  };
  toggle.addEventListener('click', () => (bar.hidden ? open() : close()));
  bar.addEventListener('submit', (event) => {
    event.preventDefault();
    find(false);
  });
  document.getElementById('search-previous').addEventListener('click', () => find(true));
  document.getElementById('search-close').addEventListener('click', close);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'Enter' && event.shiftKey) {
      event.preventDefault();
      find(true);
    }
  });
  term.attachCustomKeyEventHandler((event) => {
    if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && (event.key === 'F' || event.key === 'f')) {
      event.preventDefault();
      open();
      return false;
    }
    return true;
  });
}

/** The settings menu: every change applies at once and is saved for this user. */
function setUpSettings(term, fit, initial, save) {
  const menu = document.getElementById('settings-menu');
  const toggle = document.getElementById('settings-toggle');
  const fontSize = document.getElementById('setting-font-size');
  const theme = document.getElementById('setting-theme');
  const copyOnSelect = document.getElementById('setting-copy-on-select');
  const rightClickPaste = document.getElementById('setting-right-click-paste');
  const show = (s) => {
    fontSize.value = String(s.fontSize);
    theme.value = s.theme;
    copyOnSelect.checked = s.copyOnSelect;
    rightClickPaste.checked = s.rightClickPaste;
  };
  show(initial);
  const changed = () => {
    const saved = save({
      fontSize: Number(fontSize.value),
      theme: theme.value,
      copyOnSelect: copyOnSelect.checked,
      rightClickPaste: rightClickPaste.checked,
    });
    show(saved);
    term.options.fontSize = saved.fontSize;
    term.options.theme = THEMES[saved.theme];
    applyTheme(saved.theme);
    fitToContainer(fit);
  };
  for (const input of [fontSize, theme, copyOnSelect, rightClickPaste]) input.addEventListener('change', changed);
  toggle.addEventListener('click', () => {
    menu.hidden = !menu.hidden;
    toggle.setAttribute('aria-expanded', String(!menu.hidden));
  });
}

/** Copy-on-select and right-click paste, each when the user's settings ask for it. */
function setUpClipboard(term, container, settings) {
  term.onSelectionChange(() => {
    const text = term.getSelection();
    if (settings().copyOnSelect && text !== '') {
      navigator.clipboard?.writeText(text).catch((error) => console.debug('tether: copy refused:', error.message));
    }
  });
  container.addEventListener('contextmenu', (event) => {
    if (!settings().rightClickPaste || !navigator.clipboard?.readText) return;
    event.preventDefault();
    // term.paste goes through onData: the same input path as typing (bracketed paste included).
    navigator.clipboard.readText().then((text) => term.paste(text), (error) => console.debug('tether: paste refused:', error.message));
  });
}

/** The key bar's buttons; shown on touch screens and narrow windows. */
function setUpKeyBar(bar, keyBar, term, send, refit) {
  for (const key of KEYS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'key';
    button.dataset.key = key.id;
    button.textContent = key.label;
    if (key.sticky) button.setAttribute('aria-pressed', 'false');
    // Pressing a bar key must not take the focus (and the phone's keyboard) from the terminal.
    button.addEventListener('pointerdown', (event) => event.preventDefault());
    button.addEventListener('click', () => {
      const bytes = keyBar.press(key.id, { applicationCursor: term.modes.applicationCursorKeysMode });
      if (bytes !== null) send(bytes);
      for (const sticky of bar.querySelectorAll('[aria-pressed]')) sticky.setAttribute('aria-pressed', String(keyBar.ctrlArmed));
      term.focus();
    });
    bar.append(button);
  }
  // A keystroke from the phone's keyboard uses Ctrl up: the button must show it released again.
  term.onData(() => {
    for (const sticky of bar.querySelectorAll('[aria-pressed]')) sticky.setAttribute('aria-pressed', String(keyBar.ctrlArmed));
  });
  const media = window.matchMedia(KEY_BAR_MEDIA);
  const place = () => {
    bar.hidden = !media.matches;
    refit();
  };
  media.addEventListener('change', place);
  place();
}

/** The sessions panel: the user's sessions, to switch to, reattach, end, or start anew. */
function setUpSessionsPanel({ client, term, storage, currentId, endingOwn }) {
  const panel = document.getElementById('sessions-panel');
  const toggle = document.getElementById('sessions-toggle');
  const list = document.getElementById('sessions-list');
  const error = document.getElementById('sessions-error');

  const openHere = (id) => {
    // The tab's session is what a reload resumes: switching is storing it and reloading.
    storage.set(SESSION_KEY, id);
    location.replace(location.pathname);
  };
  const newHere = () => {
    storage.remove(SESSION_KEY);
    location.replace(`${location.pathname}?${NEW_SESSION_PARAM}`);
  };

  async function fetchSessions() {
    const response = await fetch(SESSIONS_PATH, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`listing your sessions failed (HTTP ${response.status})`);
    return (await response.json()).items ?? [];
  }

  async function endSession(id) {
    if (id === currentId()) endingOwn(id);
    const response = await fetch(`${SESSIONS_PATH}/${encodeURIComponent(id)}/end`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.message ?? `ending the session failed (HTTP ${response.status})`);
    }
  }

  function row(session, { onOpen, onEnd }) {
    const item = document.createElement('li');
    item.className = 'session-row';
    item.dataset.sessionId = session.id;
    item.dataset.state = session.state;
    item.dataset.current = String(session.current);
    const info = document.createElement('div');
    info.className = 'session-info';
    const id = document.createElement('span');
    id.className = 'session-id';
    id.textContent = session.id;
    const state = document.createElement('span');
    state.className = 'session-state';
    state.dataset.state = session.state;
    state.textContent = session.current ? `${session.state}, this tab` : session.state;
    const command = document.createElement('span');
    command.className = 'session-command';
    command.textContent = session.command;
    const times = document.createElement('span');
    times.className = 'session-times muted';
    times.textContent = `started ${session.created}, last active ${session.lastActivity}`;
    info.append(id, state, command, times);
    const actions = document.createElement('div');
    actions.className = 'session-actions';
    if (session.open !== null && onOpen) {
      const open = document.createElement('button');
      open.type = 'button';
      open.className = `open ${session.open}`;
      open.textContent = session.open === 'reattach' ? 'Reattach' : 'Switch here';
      open.addEventListener('click', () => onOpen(session.id));
      actions.append(open);
    }
    if (onEnd) {
      const end = document.createElement('button');
      end.type = 'button';
      end.className = 'end';
      end.textContent = 'End';
      end.addEventListener('click', () => onEnd(session.id));
      actions.append(end);
    }
    item.append(info, actions);
    return item;
  }

  async function refresh() {
    try {
      const rows = sessionRows(await fetchSessions(), currentId(), Date.now());
      list.replaceChildren(...rows.map((s) => row(s, {
        onOpen: openHere,
        onEnd: (id) => endSession(id).then(refresh, (e) => showError(e.message)),
      })));
      if (rows.length === 0) {
        const none = document.createElement('li');
        none.className = 'muted';
        none.textContent = 'No sessions.';
        list.replaceChildren(none);
      }
      error.hidden = true;
    } catch (e) {
      showError(e.message);
    }
  }
  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) refresh();
    else term.focus();
  });
  document.getElementById('sessions-close').addEventListener('click', () => {
    panel.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    term.focus();
  });
  document.getElementById('sessions-new').addEventListener('click', newHere);

  return { fetchSessions, row, start: () => client.start(), term };
}

/**
 * Shows the user's detached sessions in place of starting a new one. Resolves true when the offer
 * is showing (the user's choice then starts the client), false when there is nothing to offer.
 */
async function offerReattach(panel, storage) {
  let offer;
  try {
    offer = reattachOffer(await panel.fetchSessions(), Date.now());
  } catch (error) {
    console.debug('tether: no reattach offer:', error.message);
    return false;
  }
  if (offer.length === 0) return false;
  const overlay = document.getElementById('offer');
  const list = document.getElementById('offer-list');
  const choose = (id) => {
    overlay.hidden = true;
    if (id !== null) {
      // The client read the tab's session when it was made: a reload resumes the chosen one.
      storage.set(SESSION_KEY, id);
      location.reload();
      return;
    }
    panel.start();
    panel.term.focus();
  };
  list.replaceChildren(...offer.map((s) => panel.row(s, { onOpen: choose })));
  document.getElementById('offer-new').addEventListener('click', () => choose(null), { once: true });
  overlay.hidden = false;
  list.querySelector('button')?.focus();
  return true;
}

/** localStorage, or a page-lifetime stand-in where the browser refuses it. */
function localStore() {
  try {
    const store = window.localStorage;
    store.getItem('tether.probe');
    return store;
  } catch {
    const memory = new Map();
    return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => memory.set(k, String(v)) };
  }
}

/** An observer keeps no session id of its own (see TerminalClient's `observe`). */
const NO_SESSION_STORE = Object.freeze({ load: () => null, save: () => {}, clear: () => {} });

/** The page side of TerminalClient's view (see the TerminalView typedef there). */
function createView(term, elements, storage, observing, shellTitle, endingOwn) {
  const bannerRows = new Map();

  return {
    setStatus(status) {
      elements.status.textContent = observing && status === STATUS.CONNECTED ? OBSERVING_TEXT : status;
      elements.status.dataset.state = status;
      updateTitle(status, observing, shellTitle);
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
          row.setAttribute('role', kind === BANNER.BROADCAST || kind === BANNER.OBSERVED ? 'status' : 'alert');
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
      const ownEnd = ending.code === 4020 && endingOwn() !== null;
      elements.endedSentence.textContent = ownEnd ? 'You ended this session.' : ending.sentence;
      elements.ended.dataset.code = ending.code === null ? '' : String(ending.code);
      elements.ended.dataset.tone = ownEnd ? 'ended' : ending.tone ?? 'closed';
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
  for (const { label, run } of [content.action, ...(content.actions ?? [])].filter(Boolean)) {
    const action = document.createElement('button');
    action.type = 'button';
    action.className = 'banner-action';
    action.dataset.action = label.toLowerCase();
    action.textContent = label;
    action.addEventListener('click', run);
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
