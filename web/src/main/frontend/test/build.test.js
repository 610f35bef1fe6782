// The build's output is what the WAR serves: these tests build into a temporary directory and
// check the pages a browser gets, the ids the page promises, and that nothing refers to a file
// that is not there.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { build, danglingReferences } from '../scripts/build.mjs';

const FRONTEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('npm run build', () => {
  let out;
  const read = (file) => readFileSync(path.join(out, file), 'utf8');

  before(() => {
    out = build(path.join(mkdtempSync(path.join(os.tmpdir(), 'tether-fe-')), 'frontend'));
  });
  after(() => rmSync(path.dirname(out), { recursive: true, force: true }));

  for (const file of [
    'index.html', 'login.html', 'login-error.html', 'admin.html', 'css/tether.css',
    'src/terminal-page.js', 'src/terminal-client.js', 'src/protocol.js',
    'src/admin-page.js', 'src/admin-model.js', 'src/admin-api.js', 'src/admin-stream.js', 'src/admin-format.js',
    'vendor/xterm/xterm.mjs', 'vendor/xterm/xterm.css', 'vendor/xterm/addon-fit.mjs',
    'vendor/xterm/LICENSE-xterm.txt', 'vendor/xterm/LICENSE-addon-fit.txt', 'vendor/xterm/addon-webgl.mjs', 'vendor/xterm/addon-search.mjs',
    'vendor/xterm/addon-web-links.mjs', 'vendor/xterm/addon-unicode11.mjs', 'forbidden.html', 'unauthorized.html',
  ]) {
    test(`serves ${file}`, () => {
      assert.ok(read(file).length > 0);
    });
  }

  test('no page or module refers to a missing file', () => {
    assert.deepEqual(danglingReferences(out), []);
  });

  test('the terminal page has the ids automated tests and users rely on', () => {
    const html = read('index.html');
    for (const id of ['terminal', 'status', 'banner', 'ended', 'ended-sentence', 'new-session', 'reattach']) {
      assert.match(html, new RegExp(`id="${id}"`), id);
    }
    assert.match(html, /id="status"[^>]*data-state="connecting"[^>]*>connecting</);
    assert.match(html, /<script type="module" src="src\/terminal-page.js">/);
    assert.match(html, /<a id="back-to-admin"[^>]*href="admin.html"[^>]*hidden>/);
  });

  test('the admin console has the hooks browser tests rely on', () => {
    const html = read('admin.html');
    for (const id of [
      'sessions', 'nodes', 'stream-status', 'total', 'notice-all', 'admin-error', 'outcome',
      'filter-user', 'filter-node', 'filter-state', 'page-size', 'prev-page', 'next-page', 'page-info',
    ]) {
      assert.match(html, new RegExp(`id="${id}"`), id);
    }
    assert.match(html, /id="stream-status"[^>]*data-state="connecting"[^>]*>connecting</);
    assert.match(html, /<p id="admin-error"[^>]*hidden>/);
    assert.match(html, /<table id="sessions"[\s\S]*<tbody><\/tbody>/);
    assert.match(html, /<table id="nodes"[\s\S]*<tbody><\/tbody>/);
    assert.match(html, /<script type="module" src="src\/admin-page.js">/);
    assert.match(html, /href="index.html"/, 'a way to a terminal');
  });

  for (const page of ['login.html', 'login-error.html']) {
    test(`${page} is a container FORM login with relative URLs only`, () => {
      const html = read(page);
      assert.match(html, /<form method="post" action="j_security_check">/);
      assert.match(html, /name="j_username"/);
      assert.match(html, /name="j_password"/);
      assert.doesNotMatch(html, /(?:src|href|action)="\//, 'no absolute path: the app may live anywhere');
      assert.doesNotMatch(html, /<link|<script/, 'self-contained: nothing else may be served before login');
    });
  }

  test('only login-error.html says the credentials were wrong', () => {
    assert.match(read('login-error.html'), /did not match/);
    assert.doesNotMatch(read('login.html'), /did not match/);
  });

  test('no CDN: every script and stylesheet is served from the app itself', () => {
    for (const page of ['index.html', 'admin.html', 'login.html', 'login-error.html']) {
      assert.doesNotMatch(read(page), /(?:src|href)="(?:https?:)?\/\//, page);
    }
  });

  test('a rebuild removes files that are no longer part of the front end', () => {
    writeFileSync(path.join(out, 'stale.js'), '');
    build(out);
    assert.throws(() => read('stale.js'), { code: 'ENOENT' });
  });
});

describe('danglingReferences', () => {
  test('reports a module import and a page link that point nowhere', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-refs-'));
    try {
      writeFileSync(path.join(dir, 'page.html'), '<link href="here.css"><script src="gone.js"></script><a href="https://x/">');
      writeFileSync(path.join(dir, 'here.css'), '');
      writeFileSync(path.join(dir, 'mod.js'), "import { a } from './missing.js';\nimport './here.css';\n");
      assert.deepEqual(danglingReferences(dir).sort(), ['mod.js -> ./missing.js', 'page.html -> gone.js']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('build safety', () => {
  for (const [name, dir] of [['the filesystem root', path.parse(FRONTEND_DIR).root], ['the sources', FRONTEND_DIR], ['a parent of the sources', path.dirname(FRONTEND_DIR)]]) {
    test(`refuses to empty ${name}`, () => {
      assert.throws(() => build(dir), /refusing/);
    });
  }
});
