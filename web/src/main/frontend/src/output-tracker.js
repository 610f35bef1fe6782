// Where this page stands in the session's output stream.
//
// Output frames carry absolute offsets, so the page always knows the next byte it needs
// ("expected"). That single number is what makes a resume exact: it goes to the server as
// resumeOffset, anything below it that arrives again is dropped (nothing shown twice), and anything
// above it means bytes went missing (nothing silently lost: the connection is faulted instead).

export class OutputTracker {
  #expected;

  constructor(expected = 0) {
    this.#expected = requireOffset(expected);
  }

  /** The offset of the next output byte this page needs (all before it have been taken). */
  get expected() {
    return this.#expected;
  }

  /**
   * Takes a received frame.
   * @param {number} offset the absolute offset of the payload's first byte
   * @param {Uint8Array} payload
   * @returns {{kind: 'new', bytes: Uint8Array}
   *         | {kind: 'duplicate'}
   *         | {kind: 'gap', expected: number, offset: number}}
   *   'new': show `bytes` (the part at or above the expected offset, possibly all of the payload);
   *   'duplicate': the page already has all of it;
   *   'gap': the frame starts after the expected offset, so bytes in between are missing.
   */
  receive(offset, payload) {
    requireOffset(offset);
    if (offset > this.#expected) {
      return { kind: 'gap', expected: this.#expected, offset };
    }
    const end = offset + payload.length;
    if (end <= this.#expected) {
      return { kind: 'duplicate' };
    }
    const bytes = payload.subarray(this.#expected - offset);
    this.#expected = end;
    return { kind: 'new', bytes };
  }

  /**
   * The server attached this page and replays from `replayFrom`. If it no longer holds the bytes
   * this page needed next, the page continues from there.
   * @returns {number} how many bytes this page will never see (0 when the replay is seamless)
   */
  attached(replayFrom) {
    return this.#skipTo(replayFrom);
  }

  /**
   * The page fell so far behind that the server's log overwrote its next bytes; the server
   * continues from `from`.
   * @returns {number} how many bytes were skipped (0 if `from` is not ahead, e.g. a stale resync)
   */
  resync(from) {
    return this.#skipTo(from);
  }

  /** Starts over at `offset`, e.g. for a brand-new session whose output begins at 0. */
  reset(offset = 0) {
    this.#expected = requireOffset(offset);
  }

  #skipTo(offset) {
    requireOffset(offset);
    if (offset <= this.#expected) {
      // A replay that starts at or before what we have only repeats bytes; receive() drops them.
      return 0;
    }
    const skipped = offset - this.#expected;
    this.#expected = offset;
    return skipped;
  }
}

function requireOffset(value) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`output offset must be a non-negative safe integer, got ${value}`);
  }
  return value;
}
