// When to acknowledge output (docs/protocol.md, "Output and flow control").
//
// The server sends at most `window` bytes beyond the last ack. Acking only what the terminal has
// actually processed (xterm's write callback) is what lets a slow or hidden tab push back, so the
// server stops feeding it instead of the page buffering without bound. Acking once per processed
// batch, rather than per frame, keeps the control traffic small during bulk output; acking at the
// latest every window/2 bytes keeps the server from ever stalling on a full window.

export class AckPolicy {
  #halfWindow;
  #written;
  #processed;
  #lastSent;

  /**
   * One per attached connection.
   * @param {number} window the connection's flow-control window in bytes (from `attached`)
   * @param {number} startOffset where the connection's output starts: acks below or at it are
   *   pointless, and the server treats an ack below the previous one as a protocol error
   */
  constructor(window, startOffset) {
    if (!Number.isSafeInteger(window) || window <= 0) {
      throw new RangeError(`window must be a positive integer, got ${window}`);
    }
    this.#halfWindow = Math.max(1, Math.floor(window / 2));
    this.#written = startOffset;
    this.#processed = startOffset;
    this.#lastSent = startOffset;
  }

  /** The last offset acknowledged (the connection's start until the first ack). */
  get lastSent() {
    return this.#lastSent;
  }

  /** Output up to `end` (exclusive) has been handed to the terminal. */
  written(end) {
    if (end > this.#written) this.#written = end;
  }

  /**
   * The terminal has processed output up to `end` (exclusive).
   * @returns {number|null} the offset to acknowledge now, or null to wait: the terminal still has
   *   queued output and less than half a window has gone unacknowledged
   */
  processed(end) {
    if (end > this.#processed) this.#processed = end;
    if (this.#processed <= this.#lastSent) return null;
    const drained = this.#processed >= this.#written;
    const halfWindowReached = this.#processed - this.#lastSent >= this.#halfWindow;
    if (!drained && !halfWindowReached) return null;
    this.#lastSent = this.#processed;
    return this.#lastSent;
  }
}
