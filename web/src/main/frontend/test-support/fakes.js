// Stand-ins for the browser around TerminalClient: a manual clock with timers, a scripted
// WebSocket, and a view that records what the page would show. Kept outside test/ because
// `node --test test/` runs every module under test/ as a test file.

import { ReconnectBackoff } from '../src/backoff.js';
import { decodeFrame, encodeFrame } from '../src/protocol.js';
import { TerminalClient } from '../src/terminal-client.js';

/** Timers that fire only when the test advances time. */
export class FakeClock {
  now = 1_000_000;
  #timers = new Map();
  #nextId = 1;

  timers = {
    setTimeout: (fn, ms) => this.#add(fn, ms, null),
    clearTimeout: (id) => this.#timers.delete(id),
    setInterval: (fn, ms) => this.#add(fn, ms, ms),
    clearInterval: (id) => this.#timers.delete(id),
  };

  #add(fn, ms, every) {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fn, every });
    return id;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let nextId = null;
      let next = null;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= end && (next === null || timer.at < next.at)) {
          nextId = id;
          next = timer;
        }
      }
      if (next === null) break;
      this.now = next.at;
      if (next.every === null) {
        this.#timers.delete(nextId);
      } else {
        next.at += next.every;
      }
      next.fn();
    }
    this.now = end;
  }

  /** Delays of the pending one-shot timers (reconnect waits). */
  pendingTimeouts() {
    return [...this.#timers.values()].filter((t) => t.every === null).map((t) => t.at - this.now);
  }
}

/** A WebSocket whose server side the test plays. */
export class FakeSocket {
  readyState = 0;
  binaryType = 'blob';
  sent = [];
  closedWith = null;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;

  open() {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  receiveOutput(offset, bytes) {
    const frame = encodeFrame(offset, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
    this.onmessage?.({ data: frame.buffer });
  }

  /** The server (or the network) closes the connection. */
  serverClose(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  send(data) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }

  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  /** Text messages this client sent, parsed. */
  texts(type) {
    const all = this.sent.filter((d) => typeof d === 'string').map((d) => JSON.parse(d));
    return type === undefined ? all : all.filter((m) => m.type === type);
  }

  /** Binary frames this client sent, decoded. */
  frames() {
    return this.sent
      .filter((d) => typeof d !== 'string')
      .map((d) => {
        const { offset, payload } = decodeFrame(d);
        return { offset, text: new TextDecoder().decode(payload) };
      });
  }
}

/** Records what the page would show. Output is processed at once unless `holdWrites` is set. */
export class FakeView {
  statuses = [];
  output = '';
  notes = [];
  banners = new Map();
  ending = null;
  endings = [];
  loginRequests = 0;
  resets = 0;
  holdWrites = false;
  pending = [];
  cols = 100;
  rows = 30;

  setStatus(status) {
    this.statuses.push(status);
  }

  write(bytes, done) {
    this.output += new TextDecoder().decode(bytes);
    if (this.holdWrites) this.pending.push(done);
    else done();
  }

  writeNote(text, done) {
    this.notes.push(text);
    if (!done) return;
    if (this.holdWrites) this.pending.push(done);
    else done();
  }

  /** The terminal catches up with everything written so far. */
  processPending() {
    const callbacks = this.pending;
    this.pending = [];
    for (const done of callbacks) done();
  }

  reset() {
    this.resets += 1;
    this.output = '';
  }

  /** Sizes the observed terminal was drawn at (observing only), in order. */
  sessionSizes = [];

  sessionSize(cols, rows) {
    this.sessionSizes.push(`${cols}x${rows}`);
  }

  size() {
    return { cols: this.cols, rows: this.rows };
  }

  banner(kind, content) {
    if (content === null) this.banners.delete(kind);
    else this.banners.set(kind, content);
  }

  ended(ending) {
    this.ending = ending;
    if (ending !== null) this.endings.push(ending);
  }

  loginRequired() {
    this.loginRequests += 1;
  }
}

export const flush = () => new Promise((resolve) => setImmediate(resolve));

export const ATTACHED = Object.freeze({
  type: 'attached',
  sessionId: 's-1',
  node: 'node1',
  replayFrom: 0,
  head: 0,
  dropped: 0,
  inputAcked: 0,
  heartbeatMillis: 10_000,
  window: 1_048_576,
});

/** A TerminalClient wired to fakes, with helpers to drive it. */
export function clientHarness({ storedSessionId = null, requestTicket, random = () => 0.5, observe = null } = {}) {
  const clock = new FakeClock();
  const view = new FakeView();
  const sockets = [];
  const store = {
    id: storedSessionId,
    /** Every call, so a test can tell that the store was never touched. */
    calls: [],
    load() { this.calls.push('load'); return this.id; },
    save(id) { this.calls.push('save'); this.id = id; },
    clear() { this.calls.push('clear'); this.id = null; },
  };
  let tickets = 0;
  let clientIds = 0;
  const ticketRequests = [];
  const warnings = [];
  const client = new TerminalClient({
    view,
    requestTicket: async () => {
      ticketRequests.push(clock.now);
      if (requestTicket) return requestTicket();
      tickets += 1;
      return `ticket-${tickets}`;
    },
    openSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    sessionStore: store,
    clientId: 'c-first',
    newClientId: () => `c-next-${++clientIds}`,
    timers: clock.timers,
    now: () => clock.now,
    backoff: new ReconnectBackoff({ now: () => clock.now, random }),
    logger: { warn: (...args) => warnings.push(args.join(' ')) },
    observe,
  });

  return {
    client,
    clock,
    view,
    sockets,
    store,
    ticketRequests,
    warnings,
    get socket() {
      return sockets.at(-1);
    },
    /** Lets the ticket request resolve and the socket open; returns the new socket. */
    async opened() {
      await flush();
      const socket = sockets.at(-1);
      socket.open();
      return socket;
    },
    /** Opens the next socket and answers its hello with `attached`. */
    async attach(overrides = {}) {
      const socket = await this.opened();
      socket.receive({ ...ATTACHED, ...overrides });
      return socket;
    },
  };
}
