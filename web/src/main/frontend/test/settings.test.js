// The terminal page's settings: per user, normalized, surviving bad stored values.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEFAULT_SETTINGS, loadSettings, normalizeSettings, saveSettings, settingsKey } from '../src/settings.js';

function memoryStorage() {
  const map = new Map();
  return { map, getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)) };
}

describe('settings', () => {
  test('defaults when nothing is stored', () => {
    assert.deepEqual(loadSettings(memoryStorage(), 'alice'), { ...DEFAULT_SETTINGS });
  });

  test('saved per user: one user never sees another one\'s', () => {
    const storage = memoryStorage();
    saveSettings(storage, 'alice', { fontSize: 18, theme: 'light', copyOnSelect: true, rightClickPaste: true });
    assert.deepEqual(loadSettings(storage, 'alice'), { fontSize: 18, theme: 'light', copyOnSelect: true, rightClickPaste: true });
    assert.deepEqual(loadSettings(storage, 'bob'), { ...DEFAULT_SETTINGS });
    assert.deepEqual([...storage.map.keys()], [settingsKey('alice')]);
    assert.equal(settingsKey('alice'), 'tether.settings.alice');
  });

  test('bad values are replaced field by field', () => {
    assert.deepEqual(normalizeSettings({ fontSize: 99, theme: 'neon', copyOnSelect: 'yes' }), {
      fontSize: 32, theme: 'dark', copyOnSelect: false, rightClickPaste: false,
    });
    assert.equal(normalizeSettings({ fontSize: 2 }).fontSize, 8);
    assert.equal(normalizeSettings({ fontSize: '15.4' }).fontSize, 15);
    assert.equal(normalizeSettings(null).fontSize, DEFAULT_SETTINGS.fontSize);
  });

  test('unreadable or refused storage falls back to the defaults', () => {
    const storage = memoryStorage();
    storage.setItem(settingsKey('alice'), '{not json');
    assert.deepEqual(loadSettings(storage, 'alice'), { ...DEFAULT_SETTINGS });
    const refusing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    assert.deepEqual(loadSettings(refusing, 'alice'), { ...DEFAULT_SETTINGS });
    assert.equal(saveSettings(refusing, 'alice', DEFAULT_SETTINGS), false);
  });
});
