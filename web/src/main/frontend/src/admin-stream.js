// The console's live feed: an EventSource on the admin event stream (docs/admin-api.md,
// "GET events/stream"). No polling: the browser keeps the stream open and, after a drop, resumes
// it itself with Last-Event-ID. This module tells the page which control events mean "rebuild"
// and brings the stream back when the browser gives up on it (it does after an HTTP error).

import { ReconnectBackoff } from './backoff.js';

export const STREAM_STATE = Object.freeze({
  CONNECTING: 'connecting',
  LIVE: 'live',
  RECONNECTING: 'reconnecting',
});

const EVENT_SOURCE_CLOSED = 2;

/**
 * @typedef {object} StreamHandlers
 * @property {(state: string) => void} status one of STREAM_STATE
 * @property {() => void} rebuild what the page shows must be rebuilt from the list: the stream
 *   starts from now (first connection), or it said `reset`
 * @property {(event: object) => void} session a session event (parsed `data`)
 */

export class AdminEventStream {
  #url;
  #createEventSource;
  #handlers;
  #timers;
  #backoff;
  #logger;

  #source = null;
  /** The last position (`<seq>@<epoch>`) received; where a new EventSource must resume. */
  #position = null;
  #state = null;
  #retryTimer = null;
  #stopped = false;

  /**
   * @param {object} deps
   * @param {string} deps.url the stream's URL (relative to the page)
   * @param {(url: string) => EventSource} deps.createEventSource
   * @param {StreamHandlers} deps.handlers
   */
  constructor({
    url,
    createEventSource,
    handlers,
    timers = globalThis,
    backoff = new ReconnectBackoff(),
    logger = console,
  }) {
    this.#url = url;
    this.#createEventSource = createEventSource;
    this.#handlers = handlers;
    this.#timers = timers;
    this.#backoff = backoff;
    this.#logger = logger;
  }

  get state() {
    return this.#state;
  }

  get position() {
    return this.#position;
  }

  start() {
    this.#stopped = false;
    this.#setState(this.#position === null ? STREAM_STATE.CONNECTING : STREAM_STATE.RECONNECTING);
    this.#open();
  }

  /** For good (e.g. the login lacks the role): no more reconnects. */
  stop() {
    this.#stopped = true;
    this.#close();
    if (this.#retryTimer !== null) {
      this.#timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
  }

  #open() {
    // A new EventSource has no Last-Event-ID of its own: the position goes in `after` instead.
    const url = this.#position === null ? this.#url : withAfter(this.#url, this.#position);
    let source;
    try {
      source = this.#createEventSource(url);
    } catch (error) {
      this.#logger.warn('tether: cannot open the admin event stream:', error.message);
      this.#retry();
      return;
    }
    this.#source = source;
    const mine = (fn) => (event) => {
      if (this.#source === source) fn(event);
    };
    source.addEventListener('ready', mine((event) => this.#onControl('ready', event)));
    source.addEventListener('reset', mine((event) => this.#onControl('reset', event)));
    source.addEventListener('session', mine((event) => this.#onSession(event)));
    source.onerror = mine(() => this.#onError(source));
  }

  #onControl(kind, event) {
    // `ready` on a stream that had a position continues exactly where it was: nothing to do.
    // Without one (the first connection) it starts from now, and the list must be read after it.
    const resumed = kind === 'ready' && this.#position !== null;
    this.#remember(event);
    this.#backoff.connected();
    this.#setState(STREAM_STATE.LIVE);
    if (!resumed) this.#handlers.rebuild();
  }

  #onSession(event) {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      this.#logger.warn('tether: admin event that is not JSON, ignored');
      this.#remember(event);
      return;
    }
    this.#remember(event);
    this.#handlers.session(data);
  }

  #onError(source) {
    this.#backoff.disconnected();
    this.#setState(STREAM_STATE.RECONNECTING);
    // CONNECTING: the browser retries by itself, with Last-Event-ID. CLOSED: it gave up (an HTTP
    // error or a wrong content type), and only a new EventSource brings the stream back.
    if (source.readyState === EVENT_SOURCE_CLOSED) {
      this.#close();
      this.#retry();
    }
  }

  #retry() {
    if (this.#stopped || this.#retryTimer !== null) return;
    const delay = this.#backoff.nextDelay();
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) this.#open();
    }, delay);
  }

  #close() {
    const source = this.#source;
    this.#source = null;
    if (source !== null) {
      source.onerror = null;
      source.close();
    }
  }

  #remember(event) {
    if (typeof event.lastEventId === 'string' && event.lastEventId !== '') this.#position = event.lastEventId;
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.#handlers.status(state);
  }
}

/** The stream URL with `after=<position>` (the resume point when no Last-Event-ID is sent). */
export function withAfter(url, position) {
  const [path, query = ''] = url.split('?');
  const params = new URLSearchParams(query);
  params.set('after', position);
  return `${path}?${params}`;
}
