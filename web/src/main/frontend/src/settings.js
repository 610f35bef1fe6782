// The terminal page's own settings, kept per user in localStorage under the user's name, so two
// people sharing a browser profile keep theirs apart. Pure: the storage is passed in.

export const SETTINGS_PREFIX = 'tether.settings.';

export const FONT_SIZE = Object.freeze({ min: 8, max: 32, step: 1 });

export const THEMES = Object.freeze(['dark', 'light']);

export const DEFAULT_SETTINGS = Object.freeze({
  fontSize: 14,
  theme: 'dark',
  copyOnSelect: false,
  rightClickPaste: false,
});

/** The storage key of `user`'s settings. */
export function settingsKey(user) {
  return SETTINGS_PREFIX + (typeof user === 'string' && user !== '' ? user : '(anonymous)');
}

/** Settings from anything (an old or hand-edited value): every field valid, missing ones defaulted. */
export function normalizeSettings(raw) {
  const value = raw !== null && typeof raw === 'object' ? raw : {};
  const size = Math.round(Number(value.fontSize));
  return {
    fontSize: Number.isFinite(size) ? Math.min(FONT_SIZE.max, Math.max(FONT_SIZE.min, size)) : DEFAULT_SETTINGS.fontSize,
    theme: THEMES.includes(value.theme) ? value.theme : DEFAULT_SETTINGS.theme,
    copyOnSelect: typeof value.copyOnSelect === 'boolean' ? value.copyOnSelect : DEFAULT_SETTINGS.copyOnSelect,
    rightClickPaste: typeof value.rightClickPaste === 'boolean' ? value.rightClickPaste : DEFAULT_SETTINGS.rightClickPaste,
  };
}

/**
 * `user`'s settings from `storage` (getItem/setItem), the defaults when none are stored or they
 * cannot be read.
 */
export function loadSettings(storage, user) {
  try {
    const text = storage.getItem(settingsKey(user));
    return normalizeSettings(text === null ? null : JSON.parse(text));
  } catch {
    return normalizeSettings(null);
  }
}

/** Stores `user`'s settings (normalized first) and returns what was stored; false if storage refused. */
export function saveSettings(storage, user, settings) {
  const normalized = normalizeSettings(settings);
  try {
    storage.setItem(settingsKey(user), JSON.stringify(normalized));
    return normalized;
  } catch {
    return false;
  }
}
