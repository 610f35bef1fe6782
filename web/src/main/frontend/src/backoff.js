// When to try again after a connection drops (docs/protocol.md, "The resume sequence").
//
// A blip should look like a flicker: the first retry comes almost at once and quietly. If that
// does not work the server is probably restarting or unreachable, so later attempts back off
// exponentially (with jitter, so a cluster's worth of tabs does not reconnect in lockstep) and the
// user is told. A connection that then stays healthy for a minute earns a fresh start.

export const FIRST_RETRY_MS = 150;
export const BASE_RETRY_MS = 800;
export const MAX_RETRY_MS = 8000;
export const JITTER = 0.2;
export const HEALTHY_AFTER_MS = 60_000;

export class ReconnectBackoff {
  #firstDelayMs;
  #baseDelayMs;
  #maxDelayMs;
  #jitter;
  #healthyAfterMs;
  #random;
  #now;
  #attempts = 0;
  #connectedAt = null;

  /**
   * @param {object} [options]
   * @param {() => number} [options.random] uniform in [0, 1); injectable for tests
   * @param {() => number} [options.now] milliseconds; injectable for tests
   */
  constructor({
    firstDelayMs = FIRST_RETRY_MS,
    baseDelayMs = BASE_RETRY_MS,
    maxDelayMs = MAX_RETRY_MS,
    jitter = JITTER,
    healthyAfterMs = HEALTHY_AFTER_MS,
    random = Math.random,
    now = Date.now,
  } = {}) {
    this.#firstDelayMs = firstDelayMs;
    this.#baseDelayMs = baseDelayMs;
    this.#maxDelayMs = maxDelayMs;
    this.#jitter = jitter;
    this.#healthyAfterMs = healthyAfterMs;
    this.#random = random;
    this.#now = now;
  }

  /** Reconnect attempts since the last healthy session (0: none yet). */
  get attempts() {
    return this.#attempts;
  }

  /** Counts one more attempt and returns how long to wait before making it, in milliseconds. */
  nextDelay() {
    this.#attempts += 1;
    return this.delayFor(this.#attempts);
  }

  /**
   * The wait before attempt n (1-based). Attempt 1 is the quick retry; attempt 2 waits the base
   * delay, and each later one twice the previous, up to the cap. Jitter spreads each by ±jitter
   * but never past the cap.
   */
  delayFor(attempt) {
    if (attempt <= 1) return this.#firstDelayMs;
    const exponential = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 2));
    const spread = 1 + this.#jitter * (2 * this.#random() - 1);
    return Math.round(Math.min(this.#maxDelayMs, exponential * spread));
  }

  /**
   * Whether attempt n deserves a visible "Reconnecting…" banner. The first, quick retry only
   * flips the status indicator: most blips are over before a banner could be read.
   */
  shouldWarn(attempt) {
    return attempt >= 2;
  }

  /** A connection reached the attached state. */
  connected() {
    this.#connectedAt = this.#now();
  }

  /**
   * The attached connection is gone. If it stayed up long enough to count as healthy, the next
   * drop is treated as a fresh blip again (quick, quiet retry) rather than continuing the backoff.
   */
  disconnected() {
    if (this.#connectedAt !== null && this.#now() - this.#connectedAt >= this.#healthyAfterMs) {
      this.#attempts = 0;
    }
    this.#connectedAt = null;
  }

  /** Forget everything, e.g. when the user explicitly starts over. */
  reset() {
    this.#attempts = 0;
    this.#connectedAt = null;
  }
}
