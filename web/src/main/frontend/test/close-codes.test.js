// The client's close-code table must say what docs/protocol.md says, code for code: the document
// is normative, so this test reads it rather than a copy.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { CLIENT_CLOSE, CLOSE_CODES, closeSentence } from '../src/protocol.js';

const PROTOCOL_DOC = new URL('../../../../../docs/protocol.md', import.meta.url);

/**
 * Rows of the "Close codes" tables (Tether's 40xx, and the standard codes a relaying node sends):
 * | code | name | session | client action | sentence shown |
 */
function documentedCloseCodes() {
  const doc = readFileSync(PROTOCOL_DOC, 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Close codes'));
  assert.ok(section, 'docs/protocol.md has a "Close codes" section');
  const rows = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells.length === 5 && /^\d{4}$/.test(cells[0])) {
      const [code, name, session, action, sentence] = cells;
      rows.push({ code: Number(code), name, session, action, sentence });
    }
  }
  return rows;
}

describe('close-code table', () => {
  const documented = documentedCloseCodes();

  test('the document lists the 40xx codes and the standard codes a relay sends', () => {
    const tether = documented.filter((row) => row.code >= 4000 && row.code <= 4099);
    const standard = documented.filter((row) => row.code >= 1000 && row.code <= 1015);
    assert.ok(tether.length >= 16, `found ${tether.length} 40xx rows`);
    assert.deepEqual(standard.map((row) => row.code), [1001, 1012, 1013]);
    assert.equal(tether.length + standard.length, documented.length, 'no code outside both ranges');
  });

  test('a standard code a relay sends only ever sends the client back', () => {
    for (const code of [1001, 1012, 1013]) {
      assert.equal(CLOSE_CODES[code].reconnect, true, `${code}`);
      assert.equal(CLOSE_CODES[code].session, 'unchanged', `${code}`);
    }
  });

  test('the client knows exactly the documented codes', () => {
    assert.deepEqual(
      Object.keys(CLOSE_CODES).map(Number).sort(),
      documented.map((row) => row.code).sort(),
    );
  });

  for (const row of documented) {
    test(`${row.code} ${row.name}`, () => {
      const entry = CLOSE_CODES[row.code];
      assert.ok(entry, `${row.code} is missing from CLOSE_CODES`);
      assert.equal(entry.name, row.name);
      assert.equal(entry.session, row.session);
      assert.equal(entry.reconnect, row.action === 'reconnect', `action "${row.action}"`);
      assert.ok(row.action === 'reconnect' || row.action.startsWith('end'), `unknown action "${row.action}"`);
      assert.equal(entry.sentence, row.sentence);
    });
  }

  test('the 4006 sentence fills in the documented N', () => {
    const row = documented.find((r) => r.code === 4006);
    assert.equal(closeSentence(4006, 137), row.sentence.replace('N', '137'));
  });

  test("the client's own close codes collide with no server code", () => {
    for (const { code } of Object.values(CLIENT_CLOSE)) {
      assert.ok(!(code in CLOSE_CODES), `${code} is a server code`);
      assert.ok(code === 1000 || (code >= 4000 && code <= 4999), `${code} is not a code a browser may send`);
    }
  });
});

describe('ending tones', async () => {
  const { endingTone } = await import('../src/protocol.js');
  test('exit codes by meaning; other ends by whether the session is over', () => {
    const table = [
      [4006, 0, 'ok'], [4006, 1, 'error'], [4006, 127, 'error'], [4006, 130, 'signal'], [4006, 137, 'signal'],
      [4006, 255, 'error'], [4006, null, 'ended'], [4009, null, 'ended'], [4008, null, 'ended'], [4013, null, 'closed'],
      [4003, null, 'closed'], [1006, null, 'closed'],
    ];
    for (const [code, exit, tone] of table) assert.equal(endingTone(code, exit), tone, `${code} ${exit}`);
  });
});
