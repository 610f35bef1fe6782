// The touch key bar's bytes: what each key sends, and Ctrl as a sticky modifier.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { KEYS, KeyBar, ctrlOf, keyBytes } from '../src/key-bar.js';

describe('key bar', () => {
  test('each key sends what a keyboard sends', () => {
    const table = [
      ['esc', {}, '\x1b'],
      ['tab', {}, '\t'],
      ['up', {}, '\x1b[A'],
      ['down', {}, '\x1b[B'],
      ['right', {}, '\x1b[C'],
      ['left', {}, '\x1b[D'],
      ['up', { applicationCursor: true }, '\x1bOA'],
      ['left', { applicationCursor: true }, '\x1bOD'],
    ];
    for (const [id, modes, bytes] of table) assert.equal(keyBytes(id, modes), bytes, `${id} ${JSON.stringify(modes)}`);
    assert.throws(() => keyBytes('f13'), RangeError);
    assert.deepEqual(KEYS.map((k) => k.id), ['esc', 'ctrl', 'tab', 'left', 'down', 'up', 'right']);
  });

  test('Ctrl with a character', () => {
    const table = [['c', '\x03'], ['C', '\x03'], ['a', '\x01'], ['z', '\x1a'], ['[', '\x1b'], ['\\', '\x1c'],
      [' ', '\x00'], ['@', '\x00'], ['?', '\x7f'], ['1', null], ['ab', null], ['é', null]];
    for (const [char, bytes] of table) assert.equal(ctrlOf(char), bytes, JSON.stringify(char));
  });

  test('Ctrl is sticky for exactly the next key', () => {
    const bar = new KeyBar();
    assert.equal(bar.typed('c'), 'c');
    assert.equal(bar.press('ctrl'), null);
    assert.equal(bar.ctrlArmed, true);
    assert.equal(bar.typed('c'), '\x03', 'Ctrl then c from the phone keyboard is Ctrl-C');
    assert.equal(bar.ctrlArmed, false);
    assert.equal(bar.typed('c'), 'c');
  });

  test('Ctrl pressed twice disarms; a bar key uses it up', () => {
    const bar = new KeyBar();
    bar.press('ctrl');
    bar.press('ctrl');
    assert.equal(bar.typed('c'), 'c');
    bar.press('ctrl');
    assert.equal(bar.press('esc'), '\x1b');
    assert.equal(bar.ctrlArmed, false);
  });

  test('with Ctrl armed, a paste or a key Ctrl cannot change passes unchanged', () => {
    const bar = new KeyBar();
    bar.press('ctrl');
    assert.equal(bar.typed('hello'), 'hello');
    assert.equal(bar.ctrlArmed, false);
  });
});
