// How the admin console writes numbers, times and states. Pure, so the tests pin every wording;
// the clock is always passed in (the page ticks it every second for the idle countdowns).

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * Output sizes: exact bytes below 1 KiB, then one decimal below 100 of a unit ("12.3 MiB") and
 * whole units above ("512 MiB"): a dense column stays narrow and still tells sizes apart.
 */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${Math.floor(n)} B`;
  let value = n;
  let unit = -1;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // 1023.96 KiB would print as "1024.0 KiB"; say the next unit instead.
  if (value >= 1023.95 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = value < 100 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** Milliseconds since the epoch of an ISO instant, or null when absent or unreadable. */
export function parseInstant(iso) {
  if (typeof iso !== 'string' || iso === '') return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Time left until the idle limit, as a countdown: "m:ss" below an hour, "h:mm:ss" above; "due"
 * once the deadline passed (the owner's sweep ends the session a moment later); "—" without a
 * deadline. Whole seconds, rounded up, so "0:01" is shown until the deadline really is reached.
 */
export function formatCountdown(ms) {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms <= 0) return 'due';
  const total = Math.ceil(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Milliseconds until the session's idle deadline at `now`, or null when it has none. */
export function idleLeftMs(session, now) {
  const deadline = parseInstant(session.idleDeadline);
  return deadline === null ? null : deadline - now;
}

/**
 * How long ago an instant was, coarsely ("8 s ago", "5 min ago", "3 h ago", "2 d ago"): the
 * columns are for spotting the old and the stale, and the exact instant is in the cell's title.
 * A time slightly in the future (another node's clock) reads "just now".
 */
export function formatAge(iso, now) {
  const at = parseInstant(iso);
  if (at === null) return '—';
  const seconds = Math.floor((now - at) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** "attached" or "detached"; older records may carry only the client count. */
export function sessionState(session) {
  if (session.state === 'attached' || session.state === 'detached') return session.state;
  return Number(session.attachedClients) > 0 ? 'attached' : 'detached';
}

/**
 * The state cell: "attached ×2", "detached", with observers after a plus ("attached ×1 + 1
 * observer"), so an admin sees at a glance who is watching.
 */
export function formatState(session) {
  const state = sessionState(session);
  const clients = Number.isInteger(session.attachedClients) ? session.attachedClients : null;
  let text = state === 'attached' && clients !== null ? `attached ×${clients}` : state;
  const observers = Number.isInteger(session.observers) ? session.observers : 0;
  if (observers > 0) text += ` + ${observers} observer${observers === 1 ? '' : 's'}`;
  return text;
}

/** "120×40", or "—" for a record without a size. */
export function formatSize(session) {
  return Number.isInteger(session.cols) && Number.isInteger(session.rows) ? `${session.cols}×${session.rows}` : '—';
}
