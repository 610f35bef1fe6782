// The admin REST API (docs/admin-api.md) as the console calls it: same-origin fetches with the
// login's cookie, JSON both ways, and one error type whose message is what the page shows.

/** Relative, so it resolves under whatever context path the app is deployed at. */
export const ADMIN_API_PATH = 'api/admin/';

/** The event stream, beside the API (an EventSource URL, relative to the page). */
export const ADMIN_EVENTS_PATH = 'api/admin/events/stream';

/** A call that did not succeed; `message` is the sentence for the admin. */
export class AdminApiError extends Error {
  /**
   * @param {number} status the HTTP status, 0 when the server was not reached
   * @param {string} error the stable error name (docs/admin-api.md), or one of this module's:
   *   `network`, `login-required`, `bad-answer`
   * @param {string} message
   */
  constructor(status, error, message) {
    super(message);
    this.name = 'AdminApiError';
    this.status = status;
    this.error = error;
  }

  /** The login lacks the admin role: nothing on this page will work. */
  get forbidden() {
    return this.status === 403;
  }
}

export const FORBIDDEN_MESSAGE = 'This needs the admin role.';
export const LOGIN_REQUIRED_MESSAGE = 'Your login has expired. Reload the page to log in again.';

/**
 * @param {typeof fetch} fetchFn injectable for tests
 * @param {string} base where the API lives, relative to the page
 */
export function createAdminApi(fetchFn = globalThis.fetch.bind(globalThis), base = ADMIN_API_PATH) {
  const call = (path, options) => request(fetchFn, base + path, options);
  const id = encodeURIComponent;
  return {
    /** GET sessions: `query` from sessionsQuery(). */
    sessions: (query) => call(`sessions?${query}`),
    session: (sessionId) => call(`sessions/${id(sessionId)}`),
    nodes: () => call('nodes'),
    kill: (sessionId) => call(`sessions/${id(sessionId)}/kill`, { method: 'POST' }),
    detach: (sessionId) => call(`sessions/${id(sessionId)}/detach`, { method: 'POST' }),
    notice: (sessionId, message) => call(`sessions/${id(sessionId)}/notice`, { method: 'POST', body: { message } }),
    noticeAll: (message) => call('notice', { method: 'POST', body: { message } }),
    drain: (node) => call(`nodes/${id(node)}/drain`, { method: 'POST' }),
    undrain: (node) => call(`nodes/${id(node)}/undrain`, { method: 'POST' }),
  };
}

async function request(fetchFn, url, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetchFn(url, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new AdminApiError(0, 'network', `The server could not be reached (${error.message}).`);
  }

  const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
  let answer = null;
  if (isJson) {
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
  }
  if (response.ok) {
    // A FORM-login container answers a request without a valid login with its login page.
    if (!isJson) throw new AdminApiError(401, 'login-required', LOGIN_REQUIRED_MESSAGE);
    if (answer === null) throw new AdminApiError(response.status, 'bad-answer', 'The server sent an answer that is not JSON.');
    return answer;
  }
  const named = answer !== null && typeof answer === 'object' && typeof answer.message === 'string';
  if (named) throw new AdminApiError(response.status, String(answer.error ?? 'error'), answer.message);
  if (response.status === 401) throw new AdminApiError(401, 'login-required', LOGIN_REQUIRED_MESSAGE);
  if (response.status === 403) throw new AdminApiError(403, 'forbidden', FORBIDDEN_MESSAGE);
  throw new AdminApiError(response.status, 'error', `The server answered ${response.status}.`);
}

/**
 * The line a command leaves in the console: what was asked, then "done" for a 200 (the node it
 * was for carried it out and said so) or the error's sentence (a 504 when the node did not confirm
 * in time: the command may not have happened).
 */
export function commandOutcome(what, result) {
  return result instanceof Error ? `${what}: ${result.message}` : `${what}: done`;
}

/** A notice message the API accepts: 1 to 1000 characters (after trimming); null when not. */
export function noticeText(input) {
  if (typeof input !== 'string') return null;
  const text = input.trim();
  return text.length >= 1 && text.length <= 1000 ? text : null;
}
