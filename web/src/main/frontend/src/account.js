// Who is logged in, for every page's header: the user's name, and the logout form beside it
// (a plain POST to `logout`, which works without this script too).

export const ME_PATH = 'api/me';

/** `{user, admin}` of the logged-in user, or null when it cannot be told (logged out, offline). */
export async function fetchAccount(fetchFn = globalThis.fetch.bind(globalThis), url = ME_PATH) {
  try {
    const response = await fetchFn(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) return null;
    const me = await response.json();
    return typeof me?.user === 'string' ? { user: me.user, admin: me.admin === true } : null;
  } catch {
    return null;
  }
}

/** Fills `#user-name` (and shows `#admin-link` for admins) on the current page. */
export async function showAccount(document = globalThis.document) {
  const account = await fetchAccount();
  const name = document.getElementById('user-name');
  if (name !== null) name.textContent = account === null ? '' : account.user;
  const adminLink = document.getElementById('admin-link');
  if (adminLink !== null) adminLink.hidden = account === null || !account.admin;
  return account;
}
