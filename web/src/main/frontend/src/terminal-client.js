// The terminal's connection to its session: tickets, hello/attached, output with acks, input with
// resends, heartbeats, reconnects and the end of a session (docs/protocol.md).
//
// It knows nothing about the DOM. The page hands it a view (the terminal and its indicators), a way
// to get tickets and to open sockets, and a place to keep the session id; tests hand it fakes and a
// fake clock. Every socket event is checked against the current socket, so a late event from a
// connection already given up can never touch the state of the next one.

import { AckPolicy } from './ack-policy.js';
import { ReconnectBackoff } from './backoff.js';
import { InputQueue } from './input-queue.js';
import { OutputTracker } from './output-tracker.js';
import {
  CLIENT_CLOSE,
  OBSERVE_REFUSED_SENTENCE,
  ProtocolError,
  ackMessage,
  closeInfo,
  closeSentence,
  decodeFrame,
  encodeFrame,
  endingTone,
  heartbeatMessage,
  helloMessage,
  newClientId as randomClientId,
  observeAnswerMessage,
  parseServerMessage,
  reconnectsAfter,
  resizeMessage,
  splitIntoFrames,
} from './protocol.js';
import { LoginRequiredError } from './tickets.js';

/** The words of the status indicator. */
export const STATUS = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  ENDED: 'ended',
});

/** Banner rows; each kind shows at most one message. */
export const BANNER = Object.freeze({
  RECONNECT: 'reconnect',
  IDLE: 'idle',
  BROADCAST: 'broadcast',
  /** Who is watching this session (an administrator observing it read-only). */
  OBSERVED: 'observed',
  /**
   * Policy `consent`: an administrator asks to watch (the user's page, with Allow and Decline),
   * or this observing page waits for the user's answer.
   */
  CONSENT: 'consent',
});

/** A ticket request or handshake that has not produced `attached` by then is given up on. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** Silence for this many heartbeat intervals means the connection is dead. */
export const MISSED_HEARTBEATS = 3;

/** Until `attached` says otherwise. */
const DEFAULT_HEARTBEAT_MS = 5_000;

/**
 * Typed input that hears nothing back from the server (no echo, no heartbeat, nothing) for this
 * long means the link is dead, however recently it was heard from before: the page says the
 * keystrokes are queued and reconnects. After INPUT_PROBE_MS of silence it asks the server for a
 * heartbeat, which a live server answers at once (docs/protocol.md, "Heartbeats").
 */
export const INPUT_UNANSWERED_MS = 3_000;
export const INPUT_PROBE_MS = 1_000;

/** The ticker drives heartbeats, liveness checks and countdowns; countdowns show whole seconds. */
const MAX_TICK_MS = 500;
const MIN_TICK_MS = 50;

const SOCKET_OPEN = 1;

/**
 * @typedef {object} TerminalView what the client needs from the page
 * @property {(status: string) => void} setStatus one of STATUS
 * @property {(bytes: Uint8Array, done: () => void) => void} write session output, in order;
 *   `done` once the terminal has processed it
 * @property {(text: string, done?: () => void) => void} writeNote a line of our own (not session
 *   output) in the terminal, in order with the output
 * @property {() => void} reset clears the terminal for a new session
 * @property {() => {cols: number, rows: number}} size
 * @property {(cols: number, rows: number) => void} [sessionSize] observing only: the observed
 *   terminal's size, so the screen is drawn as its user sees it
 * @property {(kind: string, banner: BannerContent|null) => void} banner shows or hides a row
 * @property {(ending: Ending|null) => void} ended shows or hides the end panel
 * @property {() => void} loginRequired the login expired; the page arranges a new one
 *
 * @typedef {object} BannerContent
 * @property {string} text
 * @property {{label: string, run: () => void}} [action] a button in the row
 * @property {Array<{label: string, run: () => void}>} [actions] more buttons, in order
 * @property {() => void} [dismiss] when present, the row offers to close it and calls this
 *
 * @typedef {object} Ending
 * @property {number|null} code the close code (null: the login expired)
 * @property {string} sentence
 * @property {boolean} canReattach
 * @property {boolean} loginRequired
 * @property {string} tone ok | signal | error | ended | closed (see endingTone)
 *
 * @typedef {object} SessionStore where the session id outlives a page reload
 * @property {() => string|null} load
 * @property {(id: string) => void} save
 * @property {() => void} clear
 */

export class TerminalClient {
  #view;
  #requestTicket;
  #openSocket;
  #sessions;
  #timers;
  #now;
  #backoff;
  #newClientId;
  #logger;
  /** Watching someone else's session read-only: no input, no resize, no stored session id. */
  #observe;

  #clientId;
  #sessionId;
  #node = null;
  #exitCode = null;
  #tracker = new OutputTracker(0);
  #input = new InputQueue();
  /** The current connection's ack policy; null when not attached. */
  #acks = null;
  /**
   * Replayed output must never type. Everything below the head announced in `attached` is replay:
   * queries in it (device attributes, modes, colours a program asked for long ago) would make the
   * terminal answer again, and the answers would reach the shell as keystrokes. While the terminal
   * parses replayed bytes, whatever it produces as input is dropped; live output's replies go out.
   */
  #replay = { head: 0, parsing: 0 };

  #status = null;
  /** idle | ticket | socket | attached | waiting | ended */
  #phase = 'idle';
  #phaseSince = 0;
  /** Bumped whenever a connection attempt is abandoned, so its late results are ignored. */
  #attemptId = 0;
  #socket = null;
  #ticketRetried = false;
  /** The size the last hello announced. */
  #helloSize = null;

  #heartbeatMillis = DEFAULT_HEARTBEAT_MS;
  #lastReceivedAt = 0;
  /** When input went out that nothing has been received since; null when answered. */
  #inputUnansweredSince = null;
  #inputProbed = false;
  /** The link was found dead while input waited: the banner says the keystrokes are queued. */
  #inputQueuedOnDeadLink = false;
  #lastHeartbeatSentAt = 0;
  #ticker = null;
  #tickMs = 0;
  #reconnectTimer = null;
  #reconnectAt = 0;
  #reconnectVisible = false;
  /** The running idle warning: when the session would end (ms), or null for no countdown. */
  #idleWarning = null;
  #bannerShown = new Map();
  /** Administrators' requests to watch this session, by id, oldest first (policy consent). */
  #observeRequests = new Map();
  /** Observing: when the user's answer is due (ms), while this page waits for it; else null. */
  #consentDue = null;

  /**
   * @param {object} deps
   * @param {TerminalView} deps.view
   * @param {() => Promise<string>} deps.requestTicket rejects with LoginRequiredError when only a
   *   new login helps, with anything else when a retry may
   * @param {() => WebSocket} deps.openSocket opens the terminal WebSocket with subprotocol tether.v1
   * @param {SessionStore} deps.sessionStore
   * @param {string} [deps.clientId]
   * @param {() => string} [deps.newClientId]
   * @param {{setTimeout: Function, clearTimeout: Function, setInterval: Function, clearInterval: Function}} [deps.timers]
   * @param {() => number} [deps.now] wall-clock milliseconds (a wall clock, so a laptop's sleep counts as silence)
   * @param {ReconnectBackoff} [deps.backoff]
   * @param {{warn: Function}} [deps.logger] where faults worth a developer's look are reported
   * @param {string|null} [deps.observe] a session to watch read-only instead of one of our own
   *   (admins only, the server decides): the session store is then neither read nor written, and
   *   nothing typed or resized is ever sent
   */
  constructor({
    view,
    requestTicket,
    openSocket,
    sessionStore,
    newClientId = randomClientId,
    clientId = newClientId(),
    timers = globalThis,
    now = () => Date.now(),
    backoff = new ReconnectBackoff({ now }),
    logger = console,
    observe = null,
  }) {
    if (observe !== null && (typeof observe !== 'string' || observe === '')) {
      throw new TypeError('observe must be a session id or null');
    }
    this.#observe = observe;
    this.#logger = logger;
    this.#view = view;
    this.#requestTicket = requestTicket;
    this.#openSocket = openSocket;
    this.#sessions = sessionStore;
    this.#newClientId = newClientId;
    this.#clientId = clientId;
    this.#timers = timers;
    this.#now = now;
    this.#backoff = backoff;
    // The tab's own session (sessionStorage) is not the one observed: leave it alone entirely.
    this.#sessionId = observe ?? sessionStore.load();
  }

  /** Whether this client only watches a session (see the constructor's `observe`). */
  get observing() {
    return this.#observe !== null;
  }

  // -------------------------------------------------------------------------------------------
  // What the page calls

  /** Connects for the first time: resumes the stored session (from offset 0) or starts one. */
  start() {
    if (this.#phase !== 'idle') return;
    this.#begin();
  }

  /** Bytes the user typed or pasted. Queued while disconnected, sent in order once attached. */
  input(bytes) {
    // An observer never types; the server would close with 4016 if it did.
    if (this.#phase === 'ended' || this.observing) return;
    if (this.replaying) {
      // The terminal answering a query replayed from the log (e.g. "\x1b[?1;2c"), never a key.
      this.#logger.debug?.(`tether: dropped ${bytes.length} bytes of replies to replayed output`);
      return;
    }
    this.#clearIdleWarning();
    const chunk = this.#input.push(bytes);
    if (this.#phase === 'attached') {
      for (const frame of splitIntoFrames(chunk.offset, chunk.bytes)) this.#sendFrame(frame);
    }
  }

  /** The terminal was resized. While not attached, the next hello carries the size instead. */
  resize(cols, rows) {
    // An observer's window is its own business: the shell keeps the size its owner gave it.
    if (this.observing) return;
    if (this.#phase === 'attached') this.#sendText(resizeMessage(cols, rows));
  }

  /**
   * The page may have slept (tab hidden, laptop closed, network back): timers may have fired late
   * or not at all, so check now instead of waiting for the next tick.
   */
  wake() {
    if (this.#phase === 'waiting') {
      this.retryNow();
    } else if (this.#ticker !== null) {
      this.#tick();
    }
  }

  /** Skips the rest of a reconnect wait. */
  retryNow() {
    if (this.#phase !== 'waiting') return;
    this.#cancelReconnectTimer();
    this.#connect();
  }

  /** Leaves whatever session this page had and starts a brand-new one on a clean terminal. */
  newSession() {
    // An observing page has no session of its own to start; the page offers the console instead.
    if (this.observing) return;
    this.#abandonConnection(CLIENT_CLOSE.NEW_SESSION);
    this.#cancelReconnectTimer();
    this.#clearIdleWarning();
    this.#sessions.clear();
    this.#sessionId = null;
    this.#node = null;
    this.#exitCode = null;
    this.#tracker.reset(0);
    // A new session gets a new input stream: its offsets start at 0 under a fresh clientId, so no
    // server state about the old stream can ever apply to it.
    this.#input = new InputQueue();
    this.#clientId = this.#newClientId();
    this.#view.reset();
    this.#begin();
  }

  /** After an end that left the shell running (e.g. 4013), attaches to the same session again. */
  reattach() {
    if (this.#phase !== 'ended' || this.#sessionId === null) return;
    this.#exitCode = null;
    this.#begin();
  }

  /**
   * Answers an administrator's request to observe this session (policy consent); every tab of the
   * user takes the prompt down once the server has the answer.
   */
  answerObserveRequest(requestId, accept) {
    if (this.observing || !this.#observeRequests.has(requestId)) return;
    this.#sendText(observeAnswerMessage(requestId, accept));
    this.#observeRequests.delete(requestId);
    this.#renderObserveRequest();
  }

  /** Read-only introspection for the page's debug hook and tests. */
  state() {
    return {
      status: this.#status,
      sessionId: this.#sessionId,
      outputOffset: this.#tracker.expected,
      attempts: this.#backoff.attempts,
      node: this.#node,
      inputOffset: this.#input.totalTyped,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Connecting

  #begin() {
    this.#backoff.reset();
    this.#ticketRetried = false;
    this.#view.ended(null);
    this.#setStatus(STATUS.CONNECTING);
    this.#startTicker();
    this.#connect();
  }

  async #connect() {
    const attempt = ++this.#attemptId;
    this.#enter('ticket');
    this.#renderReconnectBanner();
    let ticket;
    try {
      ticket = await this.#requestTicket();
    } catch (error) {
      if (attempt !== this.#attemptId) return;
      if (error instanceof LoginRequiredError) {
        this.#end({ code: null, sentence: 'Your login has expired. Log in again to continue.', loginRequired: true });
        this.#view.loginRequired();
      } else {
        this.#logger.warn('tether: no ticket:', error.message);
        this.#scheduleReconnect();
      }
      return;
    }
    if (attempt !== this.#attemptId) return;

    let socket;
    try {
      socket = this.#openSocket();
    } catch (error) {
      this.#logger.warn('tether: cannot open the terminal socket:', error.message);
      this.#scheduleReconnect();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    this.#enter('socket');
    socket.onopen = () => {
      if (this.#socket === socket) this.#sendHello(ticket);
    };
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#onMessage(event.data);
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#onClose(event.code, event.reason);
    };
    // An error event is always followed by a close event, which decides what happens next.
    socket.onerror = () => {};
  }

  #sendHello(ticket) {
    const { cols, rows } = this.#view.size();
    this.#helloSize = { cols, rows };
    this.#sendText(helloMessage({
      ticket,
      sessionId: this.#sessionId,
      resumeOffset: this.#tracker.expected,
      clientId: this.#clientId,
      inputOffset: this.#input.totalTyped,
      cols,
      rows,
      observe: this.observing,
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Receiving

  #onMessage(data) {
    this.#lastReceivedAt = this.#now();
    this.#inputUnansweredSince = null;
    try {
      if (typeof data === 'string') {
        this.#onText(data);
      } else {
        this.#onOutput(data);
      }
    } catch (error) {
      // RangeError: the server's offsets contradict this page's (e.g. it acknowledged input never typed).
      if (!(error instanceof ProtocolError || error instanceof RangeError)) throw error;
      this.#logger.warn('tether: protocol fault, reconnecting:', error.message);
      this.#abandonConnection(CLIENT_CLOSE.PROTOCOL_FAULT);
      this.#scheduleReconnect();
    }
  }

  #onText(text) {
    const message = parseServerMessage(text);
    switch (message.type) {
      case 'attached':
        this.#onAttached(message);
        break;
      case 'heartbeat':
        this.#input.ack(message.inputAcked);
        break;
      case 'resync':
        this.#onResync(message);
        break;
      case 'notice':
        this.#onNotice(message);
        break;
      case 'exit':
        this.#exitCode = message.code;
        break;
      case 'size':
        // Sent to observers when the session's user resizes the terminal.
        if (this.observing) this.#view.sessionSize?.(message.cols, message.rows);
        break;
      case 'observe-request':
        if (!this.observing) {
          this.#observeRequests.set(message.requestId, { admin: message.admin });
          this.#renderObserveRequest();
        }
        break;
      case 'observe-request-over':
        if (this.#observeRequests.delete(message.requestId)) this.#renderObserveRequest();
        break;
      case 'awaiting-consent':
        if (this.observing && this.#phase === 'socket') {
          // Nothing comes until the user answers: the connect timeout waits for the answer too.
          this.#consentDue = this.#now() + message.secondsLeft * 1000;
          this.#showBanner(BANNER.CONSENT, {
            text: `Waiting for ${message.user} to agree to be observed (up to ${message.secondsLeft} s). Nothing is shown until then.`,
          });
        }
        break;
      default:
        // A newer server may say more; nothing it adds can be required of a v1 client.
        this.#logger.warn(`tether: ignoring message of unknown type ${message.type}`);
    }
  }

  #onAttached(message) {
    if (this.#phase !== 'socket') throw new ProtocolError('attached twice');
    if (this.#sessionId !== null && message.sessionId !== this.#sessionId) {
      throw new ProtocolError(`attached to ${message.sessionId} instead of ${this.#sessionId}`);
    }
    // The server applied our input up to its mark: forget that, resend the rest (below). If it
    // no longer knew this page's input stream (inputForgotten), its mark is what the hello
    // declared: what this page still held unconfirmed was not applied, and is not resent.
    const unconfirmed = message.inputForgotten === true ? this.#input.pendingBytes : 0;
    this.#input.ack(message.inputAcked);
    const resend = this.#input.framesFrom(message.inputAcked);

    if (this.observing && message.observer !== true) {
      // Harmless (this page sends no input either way) but worth a look: the server ignored observe.
      this.#logger.warn('tether: attached without "observer": true while observing');
    }
    if (this.observing && Number.isSafeInteger(message.cols) && Number.isSafeInteger(message.rows)) {
      // Before the replay is written: the screen is rebuilt at the size it was drawn for.
      this.#view.sessionSize?.(message.cols, message.rows);
    }

    this.#enter('attached');
    if (this.#consentDue !== null) {
      this.#consentDue = null;
      this.#showBanner(BANNER.CONSENT, null);
    }
    this.#sessionId = message.sessionId;
    if (!this.observing) this.#sessions.save(message.sessionId);
    this.#node = typeof message.node === 'string' ? message.node : null;
    this.#ticketRetried = false;
    this.#heartbeatMillis = message.heartbeatMillis;
    this.#lastHeartbeatSentAt = this.#now();
    this.#startTicker();

    const skipped = this.#tracker.attached(message.replayFrom);
    // A fresh object: write callbacks of an earlier connection count against their own.
    this.#replay = { head: Number.isSafeInteger(message.head) ? message.head : 0, parsing: 0 };
    this.#acks = new AckPolicy(message.window, this.#tracker.expected);
    if (skipped > 0) {
      this.#view.writeNote(`dropped ${plural(skipped, 'byte')} of output: the server no longer holds them.`);
    }
    if (unconfirmed > 0) {
      this.#view.writeNote(
        `${plural(unconfirmed, 'byte')} of input typed while disconnected could not be confirmed and were not sent again.`,
      );
    }
    for (const frame of resend) this.#sendFrame(frame);
    // The server applies the size from hello; a resize while waiting for attached was not sent.
    const { cols, rows } = this.#view.size();
    if (!this.observing && (cols !== this.#helloSize.cols || rows !== this.#helloSize.rows)) {
      this.#sendText(resizeMessage(cols, rows));
    }

    this.#backoff.connected();
    this.#inputQueuedOnDeadLink = false;
    this.#reconnectVisible = false;
    this.#showBanner(BANNER.RECONNECT, null);
    this.#setStatus(STATUS.CONNECTED);
  }

  #onOutput(data) {
    if (this.#phase !== 'attached') throw new ProtocolError('output before attached');
    const { offset, payload } = decodeFrame(data);
    const result = this.#tracker.receive(offset, payload);
    if (result.kind === 'gap') {
      throw new ProtocolError(`output gap: expected offset ${result.expected}, received ${result.offset}`);
    }
    if (result.kind === 'duplicate') return;
    this.#writeOutput(result.bytes);
  }

  #writeOutput(bytes) {
    const acks = this.#acks;
    const end = this.#tracker.expected;
    acks.written(end);
    // Never decoded here: xterm takes the raw bytes and keeps a UTF-8 sequence split across
    // frames intact (also across the split at the replay's head).
    const replay = this.#replay;
    const replayed = Math.min(bytes.length, Math.max(0, replay.head - (end - bytes.length)));
    if (replayed > 0) {
      replay.parsing++;
      this.#view.write(bytes.subarray(0, replayed), () => {
        replay.parsing--;
        if (replayed === bytes.length) this.#outputProcessed(acks, end);
      });
    }
    if (replayed < bytes.length) {
      this.#view.write(bytes.subarray(replayed), () => this.#outputProcessed(acks, end));
    }
  }

  /** Whether the terminal is parsing replayed output: what it produces now is no keystroke. */
  get replaying() {
    return this.#replay.parsing > 0;
  }

  #outputProcessed(acks, end) {
    // Writes still queued from a connection already given up belong to no ack stream.
    if (acks !== this.#acks) return;
    const offset = acks.processed(end);
    if (offset !== null) this.#sendText(ackMessage(offset));
  }

  #onResync(message) {
    if (this.#phase !== 'attached') throw new ProtocolError('resync before attached');
    const skipped = this.#tracker.resync(message.from);
    if (skipped === 0) return;
    const acks = this.#acks;
    const end = this.#tracker.expected;
    acks.written(end);
    // The ack for the skipped range goes out once the note (and all output before it) is processed.
    this.#view.writeNote(
      `dropped ${plural(skipped, 'byte')} of output: this tab fell behind and the server no longer holds them.`,
      () => this.#outputProcessed(acks, end),
    );
  }

  #onNotice(message) {
    switch (message.kind) {
      case 'idle-warning': {
        const seconds = message.secondsLeft;
        const hasCountdown = Number.isFinite(seconds) && seconds >= 0;
        this.#idleWarning = {
          endsAt: hasCountdown ? this.#now() + seconds * 1000 : null,
          message: message.message,
        };
        this.#renderIdleWarning();
        break;
      }
      case 'idle-cleared':
        this.#clearIdleWarning();
        break;
      case 'observed':
        // Stays while someone watches: it cannot be dismissed, only the watching can end.
        this.#showBanner(BANNER.OBSERVED, { text: message.message });
        break;
      case 'unobserved':
        this.#showBanner(BANNER.OBSERVED, null);
        break;
      default:
        // 'broadcast', and any kind a newer server adds: a message for the user, from an admin
        // (named in `from`).
        this.#showBanner(BANNER.BROADCAST, {
          text: typeof message.from === 'string' && message.from !== ''
            ? `Notice from administrator ${message.from}: ${message.message}`
            : `Notice from an administrator: ${message.message}`,
          dismiss: () => this.#showBanner(BANNER.BROADCAST, null),
        });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Losing a connection

  #renderObserveRequest() {
    const first = this.#observeRequests.entries().next();
    if (first.done) {
      this.#showBanner(BANNER.CONSENT, null);
      return;
    }
    const [requestId, { admin }] = first.value;
    this.#showBanner(BANNER.CONSENT, null); // the buttons answer this request, not an earlier one
    this.#showBanner(BANNER.CONSENT, {
      text: `Administrator ${admin} asks to watch this session (read-only). Nothing is shown to them unless you allow it.`,
      actions: [
        { label: 'Allow', run: () => this.answerObserveRequest(requestId, true) },
        { label: 'Decline', run: () => this.answerObserveRequest(requestId, false) },
      ],
    });
  }

  #onClose(code, reason = '') {
    // After `exit` the session is over whatever the close looked like (a lost close frame
    // arrives as 1006); resuming would only find it gone.
    const effectiveCode = this.#exitCode !== null ? 4006 : code;
    this.#dropConnection();
    if (effectiveCode === 4001 && !this.#ticketRetried) {
      // Tickets are single-use and short-lived; one fresh try rules out a ticket that merely expired
      // on its way here.
      this.#ticketRetried = true;
      this.#connect();
      return;
    }
    if (reconnectsAfter(effectiveCode)) {
      this.#scheduleReconnect();
    } else {
      // A refused observer reads the server's own words: declined, or no answer in time.
      this.#endWithCode(effectiveCode, effectiveCode === 4019 && reason ? reason : null);
    }
  }

  /** Gives up on the current connection (if any) from this side. */
  #abandonConnection({ code, reason }) {
    const socket = this.#socket;
    this.#dropConnection();
    if (socket !== null) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closing, or a close the browser refuses: the socket is detached either way.
      }
    }
  }

  /** Detaches the current socket (its late events are ignored) and invalidates pending attempts. */
  #dropConnection() {
    if (this.#phase === 'attached') this.#backoff.disconnected();
    // Requests to observe are the server's to repeat on the next attach (those still waiting).
    if (this.#observeRequests.size > 0 || this.#consentDue !== null) {
      this.#observeRequests.clear();
      this.#consentDue = null;
      this.#showBanner(BANNER.CONSENT, null);
    }
    this.#inputUnansweredSince = null;
    this.#attemptId += 1;
    this.#acks = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = null;
    }
    this.#enter('idle');
  }

  #scheduleReconnect() {
    const delay = this.#backoff.nextDelay();
    this.#enter('waiting');
    this.#setStatus(STATUS.RECONNECTING);
    this.#reconnectAt = this.#now() + delay;
    this.#reconnectVisible = this.#inputQueuedOnDeadLink || this.#backoff.shouldWarn(this.#backoff.attempts);
    this.#renderReconnectBanner();
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
  }

  #cancelReconnectTimer() {
    if (this.#reconnectTimer !== null) {
      this.#timers.clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
  }

  #endWithCode(code, serverSentence = null) {
    const info = closeInfo(code);
    const forget = info !== null && info.forget;
    if (forget && !this.observing) {
      // A reload must not try to resume a session that cannot come back.
      this.#sessions.clear();
    }
    this.#end({
      code,
      sentence: serverSentence
        ?? (this.observing && code === 4003 ? OBSERVE_REFUSED_SENTENCE : closeSentence(code, this.#exitCode)),
      canReattach: this.#sessionId !== null && info !== null && info.reattach,
    });
  }

  #end({ code, sentence, canReattach = false, loginRequired = false }) {
    this.#dropConnection();
    this.#cancelReconnectTimer();
    this.#stopTicker();
    this.#enter('ended');
    this.#reconnectVisible = false;
    this.#showBanner(BANNER.RECONNECT, null);
    // Notices were about the session this page showed; none of them holds after its end.
    this.#showBanner(BANNER.BROADCAST, null);
    this.#showBanner(BANNER.OBSERVED, null);
    this.#observeRequests.clear();
    this.#consentDue = null;
    this.#showBanner(BANNER.CONSENT, null);
    this.#clearIdleWarning();
    this.#setStatus(STATUS.ENDED);
    const tone = code === null ? 'closed' : endingTone(code, this.#exitCode);
    this.#view.ended({ code, sentence, canReattach, loginRequired, tone });
  }

  // -------------------------------------------------------------------------------------------
  // The ticker: heartbeats, liveness, countdowns

  #startTicker() {
    const period = Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, Math.floor(this.#heartbeatMillis / 4)));
    if (this.#ticker !== null && period === this.#tickMs) return;
    this.#stopTicker();
    this.#tickMs = period;
    this.#ticker = this.#timers.setInterval(() => this.#tick(), period);
  }

  #stopTicker() {
    if (this.#ticker !== null) {
      this.#timers.clearInterval(this.#ticker);
      this.#ticker = null;
    }
  }

  #tick() {
    const now = this.#now();
    switch (this.#phase) {
      case 'ticket':
      case 'socket':
        if (now - Math.max(this.#phaseSince, this.#consentDue ?? 0) >= CONNECT_TIMEOUT_MS) {
          this.#abandonConnection(CLIENT_CLOSE.CONNECT_TIMEOUT);
          this.#scheduleReconnect();
        }
        break;
      case 'attached':
        if (now - this.#lastReceivedAt >= MISSED_HEARTBEATS * this.#heartbeatMillis) {
          this.#abandonConnection(CLIENT_CLOSE.HEARTBEAT_LOST);
          this.#scheduleReconnect();
        } else if (this.#inputUnansweredSince !== null && now - this.#inputUnansweredSince >= INPUT_UNANSWERED_MS) {
          this.#inputQueuedOnDeadLink = true;
          this.#abandonConnection(CLIENT_CLOSE.HEARTBEAT_LOST);
          this.#scheduleReconnect();
        } else if (this.#inputUnansweredSince !== null && !this.#inputProbed && now - this.#inputUnansweredSince >= INPUT_PROBE_MS) {
          this.#inputProbed = true;
          this.#lastHeartbeatSentAt = now;
          this.#sendText(heartbeatMessage());
        } else if (now - this.#lastHeartbeatSentAt >= this.#heartbeatMillis) {
          this.#lastHeartbeatSentAt = now;
          this.#sendText(heartbeatMessage());
        }
        break;
      default:
        break;
    }
    this.#renderReconnectBanner();
    this.#renderIdleWarning();
  }

  #renderReconnectBanner() {
    if (!this.#reconnectVisible) {
      this.#showBanner(BANNER.RECONNECT, null);
      return;
    }
    const queued = this.#inputQueuedOnDeadLink && this.#input.pendingBytes > 0
      ? `The server stopped answering: your keystrokes are queued and will be sent. `
      : '';
    if (this.#phase === 'waiting') {
      const seconds = Math.max(1, Math.ceil((this.#reconnectAt - this.#now()) / 1000));
      this.#showBanner(BANNER.RECONNECT, {
        text: `${queued}Reconnecting in ${seconds} s…`,
        action: { label: 'Retry now', run: () => this.retryNow() },
      });
    } else {
      this.#showBanner(BANNER.RECONNECT, { text: `${queued}Reconnecting…` });
    }
  }

  #renderIdleWarning() {
    if (this.#idleWarning === null) return;
    const { endsAt, message } = this.#idleWarning;
    if (endsAt === null) {
      this.#showBanner(BANNER.IDLE, { text: message });
      return;
    }
    const seconds = Math.max(0, Math.ceil((endsAt - this.#now()) / 1000));
    // An observer cannot type, so "unless you type" would be an offer it cannot take.
    const who = this.observing ? 'its user types' : 'you type';
    this.#showBanner(BANNER.IDLE, {
      text: seconds > 0
        ? `Idle: this session ends in ${seconds} s unless ${who}.`
        : 'Idle: this session is ending.',
    });
  }

  #clearIdleWarning() {
    if (this.#idleWarning === null) return;
    this.#idleWarning = null;
    this.#showBanner(BANNER.IDLE, null);
  }

  // -------------------------------------------------------------------------------------------
  // Small helpers

  #enter(phase) {
    this.#phase = phase;
    this.#phaseSince = this.#now();
  }

  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    this.#view.setStatus(status);
  }

  /** Shows or hides a banner row, telling the view only about changes (countdowns tick often). */
  #showBanner(kind, content) {
    const labels = [content?.action, ...(content?.actions ?? [])].map((a) => a?.label ?? '').join('\u0000');
    const key = content === null ? null : `${content.text}\u0000${labels}`;
    if ((this.#bannerShown.get(kind) ?? null) === key) return;
    this.#bannerShown.set(kind, key);
    this.#view.banner(kind, content);
  }

  #sendText(text) {
    if (this.#socket !== null && this.#socket.readyState === SOCKET_OPEN) this.#socket.send(text);
  }

  #sendFrame({ offset, bytes }) {
    if (this.#socket !== null && this.#socket.readyState === SOCKET_OPEN) {
      this.#socket.send(encodeFrame(offset, bytes));
      if (this.#inputUnansweredSince === null) {
        this.#inputUnansweredSince = this.#now();
        this.#inputProbed = false;
      }
    }
  }
}

function plural(n, unit) {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
