// This page's input stream (docs/protocol.md, "Input").
//
// Every byte the user types gets an absolute offset in the stream and stays here until the server
// reports it applied (inputAcked in `attached` and `heartbeat`). After a resume the page resends
// from the server's mark, and the server applies each byte exactly once. Keystrokes typed while
// disconnected simply wait here. Memory stays bounded by what the server has not yet confirmed:
// acknowledged bytes are dropped at once.

import { INPUT_FRAME_PAYLOAD } from './protocol.js';

export class InputQueue {
  /** Unacknowledged input, contiguous and in order, covering [#acked, #total). */
  #chunks = [];
  #acked = 0;
  #total = 0;

  /** Bytes ever typed into this stream: the offset the next byte will get. */
  get totalTyped() {
    return this.#total;
  }

  /** The server's mark: every byte below it has been applied. */
  get acked() {
    return this.#acked;
  }

  /** Bytes typed but not yet confirmed by the server. */
  get pendingBytes() {
    return this.#total - this.#acked;
  }

  /**
   * Appends typed bytes to the stream.
   * @param {Uint8Array} bytes kept as given (not copied): the caller must not reuse the buffer
   * @returns {{offset: number, bytes: Uint8Array}} the bytes with their stream offset
   */
  push(bytes) {
    const chunk = { offset: this.#total, bytes };
    if (bytes.length > 0) {
      this.#chunks.push(chunk);
      this.#total += bytes.length;
    }
    return chunk;
  }

  /**
   * The server has applied every byte below `mark`; forget them. A mark below the current one is
   * stale news and ignored. A mark beyond what was typed means the server is confused about this
   * stream, which no resend can repair.
   */
  ack(mark) {
    if (!Number.isSafeInteger(mark) || mark < 0) {
      throw new RangeError(`input mark must be a non-negative integer, got ${mark}`);
    }
    if (mark > this.#total) {
      throw new RangeError(`server acknowledged input up to ${mark}, but only ${this.#total} bytes were typed`);
    }
    if (mark <= this.#acked) return;
    this.#acked = mark;
    let drop = 0;
    while (drop < this.#chunks.length) {
      const chunk = this.#chunks[drop];
      const end = chunk.offset + chunk.bytes.length;
      if (end <= mark) {
        drop += 1;
      } else {
        if (chunk.offset < mark) {
          // Keep only the unacknowledged tail; slice() (a copy) lets the head's memory go.
          this.#chunks[drop] = { offset: mark, bytes: chunk.bytes.slice(mark - chunk.offset) };
        }
        break;
      }
    }
    this.#chunks.splice(0, drop);
  }

  /**
   * The frames that resend everything from `from` on, e.g. after `attached` told us the server's
   * mark. Small keystroke chunks are packed together so a long outage resends in few frames.
   * @returns {{offset: number, bytes: Uint8Array}[]}
   */
  framesFrom(from, maxPayload = INPUT_FRAME_PAYLOAD) {
    if (!Number.isSafeInteger(from) || from < this.#acked || from > this.#total) {
      throw new RangeError(`cannot resend input from ${from}: this page holds ${this.#acked}..${this.#total}`);
    }
    const frames = [];
    let frame = null;
    let filled = 0;
    for (const chunk of this.#chunks) {
      const chunkEnd = chunk.offset + chunk.bytes.length;
      if (chunkEnd <= from) continue;
      let pos = Math.max(from, chunk.offset);
      while (pos < chunkEnd) {
        if (frame === null) {
          frame = { offset: pos, bytes: new Uint8Array(Math.min(maxPayload, this.#total - pos)) };
          filled = 0;
        }
        const take = Math.min(chunkEnd - pos, frame.bytes.length - filled);
        frame.bytes.set(chunk.bytes.subarray(pos - chunk.offset, pos - chunk.offset + take), filled);
        filled += take;
        pos += take;
        if (filled === frame.bytes.length) {
          frames.push(frame);
          frame = null;
        }
      }
    }
    return frames;
  }
}
