// Tether wire protocol v1, client side. docs/protocol.md is normative; this module is its
// executable summary: frame layout, message builders, limits and the close-code table.
// Pure: no DOM, no network, so node --test exercises it directly.

export const SUBPROTOCOL = 'tether.v1';

/** Bytes of the big-endian offset that prefixes every binary frame. */
export const OFFSET_BYTES = 8;

/** The largest payload the server accepts in one binary frame (a larger frame is closed with 4005). */
export const MAX_FRAME_PAYLOAD = 65536;

/**
 * The payload size we actually send. A quarter of the limit: a big paste still goes out in few
 * frames, and no single frame comes anywhere near the server's limit.
 */
export const INPUT_FRAME_PAYLOAD = 16384;

/** The largest text frame the server accepts, in UTF-8 bytes. */
export const MAX_TEXT_FRAME = 4096;

/** Terminal sizes the server accepts for cols and rows. */
export const MIN_TERMINAL_SIZE = 1;
export const MAX_TERMINAL_SIZE = 1000;

/** A violation of the protocol by the other side; the connection cannot go on. */
export class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtocolError';
  }
}

// ---------------------------------------------------------------------------------------------
// Binary frames

/**
 * Builds a binary frame: 8-byte unsigned big-endian offset, then the payload.
 * Offsets are JavaScript numbers (exact up to 2^53, i.e. 8 PiB of output) and go on the wire
 * through BigInt so that offsets beyond 2^32 survive intact.
 * @param {number} offset absolute stream position of the payload's first byte
 * @param {Uint8Array} payload at most MAX_FRAME_PAYLOAD bytes
 * @returns {Uint8Array} the frame, ready for WebSocket.send
 */
export function encodeFrame(offset, payload) {
  requireOffset(offset, 'frame offset');
  if (!(payload instanceof Uint8Array)) {
    throw new TypeError('frame payload must be a Uint8Array');
  }
  if (payload.length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`frame payload of ${payload.length} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
  }
  const frame = new Uint8Array(OFFSET_BYTES + payload.length);
  new DataView(frame.buffer).setBigUint64(0, BigInt(offset), false);
  frame.set(payload, OFFSET_BYTES);
  return frame;
}

/**
 * Splits a binary frame into its offset and payload. The payload is a view on the same memory,
 * not a copy: output frames go straight to the terminal.
 * @param {ArrayBuffer|Uint8Array} data a received binary message
 * @returns {{offset: number, payload: Uint8Array}}
 */
export function decodeFrame(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length < OFFSET_BYTES) {
    throw new ProtocolError(`binary frame of ${bytes.length} bytes is shorter than its offset`);
  }
  if (bytes.length > OFFSET_BYTES + MAX_FRAME_PAYLOAD) {
    throw new ProtocolError(`binary frame of ${bytes.length} bytes exceeds the protocol limit`);
  }
  const big = new DataView(bytes.buffer, bytes.byteOffset, OFFSET_BYTES).getBigUint64(0, false);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ProtocolError(`frame offset ${big} is beyond what this client can address`);
  }
  return { offset: Number(big), payload: bytes.subarray(OFFSET_BYTES) };
}

/**
 * Cuts bytes that start at stream position `offset` into frames of at most `maxPayload` bytes:
 * a paste of any size becomes a run of frames the server accepts. The pieces are views, not copies.
 * @returns {{offset: number, bytes: Uint8Array}[]}
 */
export function splitIntoFrames(offset, bytes, maxPayload = INPUT_FRAME_PAYLOAD) {
  requireOffset(offset, 'frame offset');
  if (!Number.isInteger(maxPayload) || maxPayload < 1 || maxPayload > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`frame payload limit must be 1..${MAX_FRAME_PAYLOAD}, got ${maxPayload}`);
  }
  const frames = [];
  for (let start = 0; start < bytes.length; start += maxPayload) {
    frames.push({ offset: offset + start, bytes: bytes.subarray(start, start + maxPayload) });
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------
// Client text messages

/**
 * The first frame of every connection.
 * @param {{ticket: string, sessionId: string|null, resumeOffset: number, clientId: string,
 *          inputOffset: number, cols: number, rows: number, observe?: boolean}} fields
 *   `observe`: watch `sessionId` read-only (admins only); the member is sent only when true, so an
 *   ordinary hello stays exactly as docs/protocol.md shows it.
 */
export function helloMessage({ ticket, sessionId, resumeOffset, clientId, inputOffset, cols, rows, observe = false }) {
  if (typeof ticket !== 'string' || ticket === '') throw new TypeError('hello needs a ticket');
  if (sessionId !== null && (typeof sessionId !== 'string' || sessionId === '')) {
    throw new TypeError('hello sessionId must be a non-empty string or null');
  }
  if (observe && sessionId === null) throw new TypeError('an observing hello needs the sessionId to observe');
  if (!isClientId(clientId)) throw new TypeError(`invalid clientId ${JSON.stringify(clientId)}`);
  requireOffset(resumeOffset, 'resumeOffset');
  requireOffset(inputOffset, 'inputOffset');
  return textMessage({
    type: 'hello',
    ticket,
    sessionId,
    resumeOffset,
    clientId,
    inputOffset,
    cols: clampTerminalSize(cols),
    rows: clampTerminalSize(rows),
    ...(observe ? { observe: true } : {}),
  });
}

/** Acknowledges processed output: `offset` is the next output offset the client expects. */
export function ackMessage(offset) {
  requireOffset(offset, 'ack offset');
  return textMessage({ type: 'ack', offset });
}

export function resizeMessage(cols, rows) {
  return textMessage({ type: 'resize', cols: clampTerminalSize(cols), rows: clampTerminalSize(rows) });
}

export function heartbeatMessage() {
  return textMessage({ type: 'heartbeat' });
}

/**
 * The session's user answers an administrator's request to observe (policy `consent`).
 * @param {string} requestId from `observe-request`
 * @param {boolean} accept
 */
export function observeAnswerMessage(requestId, accept) {
  if (typeof requestId !== 'string' || !CLIENT_ID.test(requestId)) throw new TypeError('requestId must be an id from observe-request');
  if (typeof accept !== 'boolean') throw new TypeError('accept must be true or false');
  return textMessage({ type: 'observe-answer', requestId, accept });
}

function textMessage(object) {
  const text = JSON.stringify(object);
  // Only the ticket and session id are of variable length; a frame this large means a bug here.
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so the usual short message needs no encoding.
  if (text.length * 3 > MAX_TEXT_FRAME && new TextEncoder().encode(text).length > MAX_TEXT_FRAME) {
    throw new RangeError(`${object.type} message exceeds ${MAX_TEXT_FRAME} bytes`);
  }
  return text;
}

/** The server rejects sizes outside 1..1000; a tiny or huge window must not end the connection. */
export function clampTerminalSize(n) {
  const whole = Number.isFinite(n) ? Math.floor(n) : MIN_TERMINAL_SIZE;
  return Math.min(MAX_TERMINAL_SIZE, Math.max(MIN_TERMINAL_SIZE, whole));
}

// ---------------------------------------------------------------------------------------------
// Server text messages

/** Members each server message type must carry, with the kind of value. */
const SERVER_MESSAGE_MEMBERS = {
  attached: {
    sessionId: 'string',
    replayFrom: 'offset',
    head: 'offset',
    dropped: 'offset',
    inputAcked: 'offset',
    heartbeatMillis: 'positive',
    window: 'positive',
  },
  heartbeat: { inputAcked: 'offset' },
  resync: { dropped: 'offset', from: 'offset' },
  notice: { kind: 'string', message: 'string' },
  exit: { code: 'integer' },
  size: { cols: 'positive', rows: 'positive' },
  'observe-request': { requestId: 'string', admin: 'string', secondsLeft: 'offset' },
  'observe-request-over': { requestId: 'string', outcome: 'string' },
  'awaiting-consent': { user: 'string', secondsLeft: 'offset' },
};

/**
 * Parses and checks a text frame from the server. Unknown types are returned as they are so the
 * caller can ignore them (a newer server may add messages); malformed known ones are a fault.
 * @returns {{type: string} & Record<string, unknown>}
 */
export function parseServerMessage(text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    throw new ProtocolError('text frame is not JSON');
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    throw new ProtocolError('text frame is not a JSON object');
  }
  if (typeof message.type !== 'string') {
    throw new ProtocolError('text frame has no type');
  }
  const members = SERVER_MESSAGE_MEMBERS[message.type];
  if (members) {
    for (const [name, kind] of Object.entries(members)) {
      if (!hasKind(message[name], kind)) {
        throw new ProtocolError(`${message.type}.${name} is missing or not a ${kind}`);
      }
    }
  }
  return message;
}

function hasKind(value, kind) {
  switch (kind) {
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isSafeInteger(value);
    case 'offset': return Number.isSafeInteger(value) && value >= 0;
    case 'positive': return Number.isSafeInteger(value) && value > 0;
    default: throw new Error(`unknown member kind ${kind}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Close codes

/**
 * Every server close code of docs/protocol.md.
 * - reconnect: whether the client reconnects on its own (otherwise the page ends and says why).
 * - session: whether the shell still runs ('unchanged'), or is 'ended' / 'gone' for good.
 * - sentence: what the user reads; 4006's "N" is filled in by closeSentence().
 * - reattach: whether the ended page offers to attach the same session again (it runs, it is ours).
 * - forget: whether the stored session id is useless: the session is over, or was never ours.
 */
export const CLOSE_CODES = Object.freeze({
  // Standard WebSocket codes a relaying node sends (the session goes on on its owner).
  1001: closeCode('going-away', 'unchanged', true, 'This server is shutting down.'),
  1012: closeCode('service-restart', 'unchanged', true, "The connection to the session's server was interrupted."),
  1013: closeCode('try-again-later', 'unchanged', true, "The session's server cannot be reached."),
  // Tether's own.
  4000: closeCode('protocol-error', 'unchanged', false, 'Protocol error.', { reattach: true }),
  4001: closeCode('bad-ticket', 'unchanged', false, 'Your ticket was invalid, already used or expired.', { reattach: true }),
  4002: closeCode('origin-rejected', 'unchanged', false, "This page's origin is not allowed to open terminals."),
  4003: closeCode('not-your-session', 'unchanged', false, 'That session belongs to another user.', { forget: true }),
  4004: closeCode('no-such-session', 'gone', false, 'That session no longer exists.'),
  4005: closeCode('frame-too-large', 'unchanged', false, 'A message was larger than the protocol allows.', { reattach: true }),
  4006: closeCode('shell-exited', 'ended', false, 'The shell exited with code N.'),
  4007: closeCode('heartbeat-timeout', 'unchanged', true, 'The server stopped hearing from this page.'),
  4008: closeCode('idle-timeout', 'ended', false, 'The session was closed after being idle too long.'),
  4009: closeCode('killed-by-admin', 'ended', false, 'The session was ended by an administrator.'),
  4010: closeCode('node-lost', 'ended', false, 'The server that ran this session was lost.'),
  4011: closeCode('node-draining', 'unchanged', true, 'This server is draining and takes no new sessions.'),
  4012: closeCode('limit-reached', 'unchanged', false, 'You have reached your limit of sessions.'),
  4013: closeCode('detached-by-admin', 'unchanged', false, 'An administrator detached this page.', { reattach: true }),
  4014: closeCode('node-stopping', 'ended', false, 'The server is shutting down.'),
  4015: closeCode('replaced', 'unchanged', false, 'This page was replaced by a newer connection of the same client.', { reattach: true }),
  4016: closeCode('read-only', 'unchanged', false, 'This connection only observes the session; it cannot type.'),
  4017: closeCode('resource-limit', 'ended', false, 'The session went over its memory limit and was ended.'),
  4018: closeCode('node-full', 'unchanged', true, 'This server has no room for another session right now.'),
  4019: closeCode('observe-refused', 'unchanged', false, "The session's user did not agree to be observed."),
  4020: closeCode('ended-by-user', 'ended', false, 'The session was ended by its user.'),
  4021: closeCode('cut-off', 'unchanged', true, 'This server is cut off from most of its cluster; connect through another.'),
});

function closeCode(name, session, reconnect, sentence, { reattach = false, forget = session !== 'unchanged' } = {}) {
  return Object.freeze({ name, session, reconnect, sentence, reattach, forget });
}

/**
 * Codes this client sends when it gives up on a connection itself. The faults lie outside the
 * server's codes (4000-4099 and the three standard ones above) so server logs can tell who closed.
 */
export const CLIENT_CLOSE = Object.freeze({
  HEARTBEAT_LOST: { code: 4900, reason: 'heartbeat lost' },
  PROTOCOL_FAULT: { code: 4901, reason: 'protocol fault seen by the client' },
  CONNECT_TIMEOUT: { code: 4902, reason: 'no attached in time' },
  NEW_SESSION: { code: 1000, reason: 'leaving for a new session' },
});

/**
 * What 4003 means to an observing page: the session is not "another user's" by mistake, the
 * login lacks the admin role (docs/protocol.md, "The session start": the server's reason).
 */
export const OBSERVE_REFUSED_SENTENCE = 'Observing a session needs the admin role.';

/** The table entry for a code, or null for codes outside the table (WebSocket-layer closes). */
export function closeInfo(code) {
  return Object.hasOwn(CLOSE_CODES, code) ? CLOSE_CODES[code] : null;
}

/**
 * Whether the client reconnects after a close it did not ask for: everything except the codes the
 * table marks "end".
 */
export function reconnectsAfter(code) {
  const info = closeInfo(code);
  return info === null || info.reconnect;
}

/** The sentence to show for a close; for 4006 with the shell's exit code when it was received. */
export function closeSentence(code, exitCode = null) {
  if (code === 4006) {
    return Number.isInteger(exitCode) ? `The shell exited with code ${exitCode}.` : 'The shell exited.';
  }
  const info = closeInfo(code);
  return info ? info.sentence : `The connection closed (code ${code}).`;
}

// ---------------------------------------------------------------------------------------------
// Identifiers and addresses

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isClientId(value) {
  return typeof value === 'string' && CLIENT_ID.test(value);
}

/**
 * A fresh clientId: "c-" and 128 random bits in hex. It names this page's input stream, so two
 * tabs (or a reloaded tab) never share one.
 */
export function newClientId(fillRandom = (bytes) => globalThis.crypto.getRandomValues(bytes)) {
  const bytes = fillRandom(new Uint8Array(16));
  return 'c-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The terminal endpoint beside the page: the app may be deployed under any context path, so the
 * address is derived from the page's own, with the scheme switched to ws/wss.
 * @param {string} pageUrl location.href of the terminal page
 */
export function terminalSocketUrl(pageUrl) {
  const url = new URL('ws/terminal', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}

function requireOffset(value, what) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}

// ---------------------------------------------------------------------------------------------
// How an ending reads

/**
 * The tone of an ending, for its colour: `ok` for a shell that exited with 0, `signal` for one
 * killed by a signal (exit code 128 + n, as shells report it), `error` for any other exit code,
 * `ended` for a session ended otherwise (idle, killed, node lost), `closed` for a page that only
 * lost its connection (the session runs on).
 */
export function endingTone(code, exitCode = null) {
  if (code === 4006) {
    if (!Number.isInteger(exitCode)) return 'ended';
    if (exitCode === 0) return 'ok';
    if (exitCode > 128 && exitCode <= 128 + 64) return 'signal';
    return 'error';
  }
  const info = closeInfo(code);
  return info !== null && info.session !== 'unchanged' ? 'ended' : 'closed';
}
