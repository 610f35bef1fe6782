// The touch key bar: the keys a phone's keyboard lacks (Esc, Ctrl, Tab, arrows), as the bytes a
// real keyboard's keys send. Ctrl is a sticky modifier: pressed once, it applies to the next key,
// from the bar or the phone's keyboard. Pure: the page sends what this returns through the same
// input path as typed keys.

export const KEYS = Object.freeze([
  { id: 'esc', label: 'Esc' },
  { id: 'ctrl', label: 'Ctrl', sticky: true },
  { id: 'tab', label: 'Tab' },
  { id: 'left', label: '←' },
  { id: 'down', label: '↓' },
  { id: 'up', label: '↑' },
  { id: 'right', label: '→' },
]);

const ARROWS = Object.freeze({ up: 'A', down: 'B', right: 'C', left: 'D' });

/**
 * The bytes of a bar key. Arrows follow the terminal's cursor-key mode as xterm.js does: `ESC [ A`
 * normally, `ESC O A` in application mode (what `vi` and `less` switch on).
 */
export function keyBytes(id, { applicationCursor = false } = {}) {
  if (id === 'esc') return '\x1b';
  if (id === 'tab') return '\t';
  if (id in ARROWS) return (applicationCursor ? '\x1bO' : '\x1b[') + ARROWS[id];
  throw new RangeError(`no such key: ${id}`);
}

/** Ctrl with a character, as a terminal keyboard sends it; null when Ctrl does not change it. */
export function ctrlOf(char) {
  if (typeof char !== 'string' || char.length !== 1) return null;
  if (char === ' ' || char === '@' || char === '2') return '\x00';
  if (char === '?') return '\x7f';
  const code = char.toUpperCase().charCodeAt(0);
  // @ A..Z [ \ ] ^ _ map onto 0x00..0x1f.
  if (code >= 0x40 && code <= 0x5f) return String.fromCharCode(code & 0x1f);
  return null;
}

/** The bar's state: whether Ctrl is armed for the next key. */
export class KeyBar {
  #ctrl = false;

  get ctrlArmed() {
    return this.#ctrl;
  }

  /**
   * A bar key was pressed: the bytes to send (null for Ctrl, which only arms or disarms).
   * @param {string} id one of KEYS' ids
   */
  press(id, modes = {}) {
    if (id === 'ctrl') {
      this.#ctrl = !this.#ctrl;
      return null;
    }
    // Ctrl applies to the next key whatever it is; none of these keys changes with it here.
    this.#ctrl = false;
    return keyBytes(id, modes);
  }

  /**
   * Data from the keyboard (xterm's onData): with Ctrl armed, a single character becomes its
   * control character and Ctrl is used up; anything else passes unchanged.
   */
  typed(data) {
    if (!this.#ctrl) return data;
    this.#ctrl = false;
    return ctrlOf(data) ?? data;
  }
}
