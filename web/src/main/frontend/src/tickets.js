// Ticket requests (docs/protocol.md, "Tickets"). The WebSocket carries no credential; the page
// proves its login with the container's session cookie on an ordinary POST and presents the
// short-lived ticket in `hello`.

/** The login behind the page is gone (expired or logged out): only a fresh login helps. */
export class LoginRequiredError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LoginRequiredError';
  }
}

/** The ticket request failed in a way that may pass (network down, server restarting). */
export class TicketUnavailableError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TicketUnavailableError';
  }
}

/** Relative, so it resolves under whatever context path the app is deployed at. */
export const TICKETS_PATH = 'api/tickets';

/**
 * Obtains a single-use ticket.
 * @param {typeof fetch} fetchFn injectable for tests
 * @param {string|URL} url
 * @returns {Promise<string>} the ticket
 * @throws {LoginRequiredError} 401/403, or an HTML answer (the container's login page, shown in
 *   place of the API once the login session expired)
 * @throws {TicketUnavailableError} anything else
 */
export async function requestTicket(fetchFn = globalThis.fetch, url = TICKETS_PATH) {
  let response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
  } catch (error) {
    throw new TicketUnavailableError(`ticket request failed: ${error.message}`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new LoginRequiredError(`ticket request answered ${response.status}`);
  }
  const contentType = response.headers.get('content-type') ?? '';
  const isJson = /\bjson\b/i.test(contentType);
  if (response.ok && !isJson) {
    // A FORM-login container answers a request without a valid login with its login page.
    throw new LoginRequiredError(`ticket request answered ${contentType || 'no content type'}, not JSON`);
  }
  if (!response.ok) {
    throw new TicketUnavailableError(`ticket request answered ${response.status}`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new TicketUnavailableError('ticket response is not valid JSON');
  }
  if (body === null || typeof body.ticket !== 'string' || body.ticket === '') {
    throw new TicketUnavailableError('ticket response has no ticket');
  }
  return body.ticket;
}

/** How old a ticket asked for ahead may be when it is used; tickets live 30 s on the server. */
export const EARLY_TICKET_MAX_AGE_MS = 10_000;

/**
 * Ticket requests whose first one is made at once, before anyone asks: the page asks for its first
 * ticket while it loads (its account, the terminal), and the node starts making the session's
 * sandbox as it issues the ticket (docs/isolation.md), so the session is ready sooner. The ticket
 * asked for ahead is handed out once, if it is still young; every other call asks anew.
 * @param {() => Promise<string>} request the ticket request
 * @param {() => number} now milliseconds, injectable for tests
 * @returns {() => Promise<string>}
 */
export function ticketsAskedAhead(request, now = Date.now) {
  const askedAt = now();
  let ahead = request();
  ahead.catch(() => {}); // a failure is reported to whoever takes it, not as unhandled
  return () => {
    const taken = ahead;
    ahead = null;
    if (taken !== null && now() - askedAt <= EARLY_TICKET_MAX_AGE_MS) {
      return taken;
    }
    return request();
  };
}
