// Assembles everything the browser needs into one directory, which the WAR serves at the web
// app's root (web/pom.xml passes it as TETHER_FRONTEND_OUT). No bundler: our code is plain ES
// modules, and xterm.js and its addons ship self-contained ES module builds (lib/*.mjs) that
// are copied as they are. The output is then checked for dangling references, so a renamed file
// fails the build instead of a page in the browser.
//
// Output layout:
//   index.html, login.html, login-error.html, css/   from public/ (login-error.html derived)
//   src/*.js                                          our modules, as written
//   vendor/xterm/                                     xterm.js, its CSS, its addons (fit, web links,
//                                                     search, unicode11, webgl), licenses

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FRONTEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = path.resolve(FRONTEND_DIR, '../../../target/frontend');

/** Where login.html takes the error message that turns it into login-error.html. */
const LOGIN_ERROR_MARKER = '<!-- login-error -->';
const LOGIN_ERROR_MESSAGE =
  '<p class="error" role="alert">That user name and password did not match. Please try again.</p>';

/** Vendored files: [package-relative source, output path]. */
const VENDOR_FILES = [
  ['@xterm/xterm/lib/xterm.mjs', 'vendor/xterm/xterm.mjs'],
  ['@xterm/xterm/lib/xterm.mjs.map', 'vendor/xterm/xterm.mjs.map'],
  ['@xterm/xterm/css/xterm.css', 'vendor/xterm/xterm.css'],
  ['@xterm/xterm/LICENSE', 'vendor/xterm/LICENSE-xterm.txt'],
  ['@xterm/addon-fit/lib/addon-fit.mjs', 'vendor/xterm/addon-fit.mjs'],
  ['@xterm/addon-fit/lib/addon-fit.mjs.map', 'vendor/xterm/addon-fit.mjs.map'],
  ['@xterm/addon-fit/LICENSE', 'vendor/xterm/LICENSE-addon-fit.txt'],
  ['@xterm/addon-web-links/lib/addon-web-links.mjs', 'vendor/xterm/addon-web-links.mjs'],
  ['@xterm/addon-web-links/lib/addon-web-links.mjs.map', 'vendor/xterm/addon-web-links.mjs.map'],
  ['@xterm/addon-web-links/LICENSE', 'vendor/xterm/LICENSE-addon-web-links.txt'],
  ['@xterm/addon-search/lib/addon-search.mjs', 'vendor/xterm/addon-search.mjs'],
  ['@xterm/addon-search/lib/addon-search.mjs.map', 'vendor/xterm/addon-search.mjs.map'],
  ['@xterm/addon-search/LICENSE', 'vendor/xterm/LICENSE-addon-search.txt'],
  ['@xterm/addon-unicode11/lib/addon-unicode11.mjs', 'vendor/xterm/addon-unicode11.mjs'],
  ['@xterm/addon-unicode11/lib/addon-unicode11.mjs.map', 'vendor/xterm/addon-unicode11.mjs.map'],
  ['@xterm/addon-unicode11/LICENSE', 'vendor/xterm/LICENSE-addon-unicode11.txt'],
  ['@xterm/addon-webgl/lib/addon-webgl.mjs', 'vendor/xterm/addon-webgl.mjs'],
  ['@xterm/addon-webgl/lib/addon-webgl.mjs.map', 'vendor/xterm/addon-webgl.mjs.map'],
  ['@xterm/addon-webgl/LICENSE', 'vendor/xterm/LICENSE-addon-webgl.txt'],
];

/** Builds the front end into `outDir` (emptied first). */
export function build(outDir) {
  const out = path.resolve(outDir);
  refuseDangerousOutput(out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  cpSync(path.join(FRONTEND_DIR, 'public'), out, { recursive: true });
  cpSync(path.join(FRONTEND_DIR, 'src'), path.join(out, 'src'), { recursive: true });
  writeLoginErrorPage(out);
  copyVendorFiles(out);

  const dangling = danglingReferences(out);
  if (dangling.length > 0) {
    throw new Error(`the built pages refer to files that do not exist:\n  ${dangling.join('\n  ')}`);
  }
  return out;
}

function refuseDangerousOutput(out) {
  const isRoot = path.parse(out).root === out;
  const containsSources = FRONTEND_DIR === out || FRONTEND_DIR.startsWith(out + path.sep);
  if (isRoot || containsSources) {
    throw new Error(`refusing to empty ${out}: it is a root or contains the front-end sources`);
  }
}

function writeLoginErrorPage(out) {
  const login = readFileSync(path.join(out, 'login.html'), 'utf8');
  if (!login.includes(LOGIN_ERROR_MARKER)) {
    throw new Error(`public/login.html lacks the marker ${LOGIN_ERROR_MARKER}`);
  }
  const page = login
    .replace(LOGIN_ERROR_MARKER, LOGIN_ERROR_MESSAGE)
    .replace('<title>Tether: log in</title>', '<title>Tether: log in failed</title>');
  writeFileSync(path.join(out, 'login-error.html'), page);
}

function copyVendorFiles(out) {
  for (const [source, target] of VENDOR_FILES) {
    const from = path.join(FRONTEND_DIR, 'node_modules', ...source.split('/'));
    if (!existsSync(from)) {
      throw new Error(`${source} is missing: run npm ci first (or the package layout changed)`);
    }
    const to = path.join(out, target);
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to);
  }
}

/**
 * Relative references in the built HTML (src/href) and modules (import specifiers) that point at
 * no file in the output.
 */
export function danglingReferences(out) {
  const dangling = [];
  for (const file of filesUnder(out)) {
    let references;
    if (file.endsWith('.html')) {
      references = matchAll(readFileSync(file, 'utf8'), /\s(?:src|href)="([^"]+)"/g);
    } else if (file.endsWith('.js') || file.endsWith('.mjs')) {
      references = matchAll(readFileSync(file, 'utf8'), /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g);
    } else {
      continue;
    }
    for (const reference of references) {
      if (/^(?:[a-z][a-z0-9+.-]*:|#|\/\/)/i.test(reference)) continue; // data:, https:, fragments
      const target = path.resolve(path.dirname(file), reference.split(/[?#]/)[0]);
      if (!existsSync(target)) dangling.push(`${path.relative(out, file)} -> ${reference}`);
    }
  }
  return dangling;
}

function matchAll(text, pattern) {
  return Array.from(text.matchAll(pattern), (match) => match[1]);
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = build(process.env.TETHER_FRONTEND_OUT || DEFAULT_OUT);
  console.log(`tether front end built into ${out}`);
}
