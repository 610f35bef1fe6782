// The terminal page's sessions panel: the user's own sessions (GET api/sessions) as rows, and the
// offer made when a tab opens without a session. Pure: the clock and the current id are passed in.

import { formatAge, parseInstant, sessionState } from './admin-format.js';

/**
 * @typedef {object} SessionRow
 * @property {string} id
 * @property {string} state attached | detached
 * @property {boolean} current whether this tab shows it
 * @property {string} created "12 s ago"
 * @property {string} lastActivity
 * @property {string} command what runs in it
 * @property {string} node
 * @property {'switch'|'reattach'|null} open what opening it here is called (null: this tab)
 */

/** Rows for the panel: the newest activity first; the tab's own session marked. */
export function sessionRows(items, currentId, now) {
  const list = Array.isArray(items) ? items.filter((s) => s && typeof s.id === 'string') : [];
  return list
    .map((s) => ({ s, last: parseInstant(s.lastActivity) ?? parseInstant(s.created) ?? 0 }))
    .sort((a, b) => b.last - a.last || (a.s.id < b.s.id ? -1 : 1))
    .map(({ s }) => {
      const current = s.id === currentId;
      const state = sessionState(s);
      return {
        id: s.id,
        state,
        current,
        created: formatAge(s.created, now),
        lastActivity: formatAge(s.lastActivity, now),
        command: typeof s.command === 'string' && s.command !== '' ? s.command : '—',
        node: typeof s.node === 'string' ? s.node : '',
        open: current ? null : state === 'detached' ? 'reattach' : 'switch',
      };
    });
}

/** Detached sessions a tab opened without a session may take up instead of starting one. */
export function reattachOffer(items, now) {
  return sessionRows(items, null, now).filter((row) => row.state === 'detached');
}
