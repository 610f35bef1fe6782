#!/usr/bin/env node
// The table of bench/run-servers.sh: reads one run's round files and prints, per figure, the bare
// PTY, WildFly and Payara (medians over the rounds) and the ratio Payara/WildFly (median, min and
// max of the per-round ratios: each round's two figures were measured one right after the other).
//
// Usage: node servers-table.mjs RUN_DIR
//   RUN_DIR/latency-R.json, bulk-R.json   the harness's `bench.mjs ab --rounds 1 --json` of round R
//                                         (one A/B pair; which server was A varies by round)
//   RUN_DIR/floor-echo-R.txt              floor.py --tests latency --repeat 1 of round R
//   RUN_DIR/floor-bulk-R.txt              pty-bulk-floor of round R
// A bulk run that failed the byte check counts in no median and no ratio (the table says how many
// were intact); a server's echo p50/p99 are the harness's, per run of 1000 keystrokes.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node servers-table.mjs RUN_DIR');
  process.exit(2);
}
const rounds = fs.readdirSync(dir).map((f) => /^bulk-(\d+)\.json$/.exec(f)?.[1]).filter(Boolean)
  .map(Number).sort((x, y) => x - y);

const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const read = (f) => { try { return fs.readFileSync(path.join(dir, f), 'utf8'); } catch { return null; } };

// One A/B pair of a round, by server name: { wildfly: result, payara: result }.
function pair(file) {
  const text = read(file);
  if (!text) return null;
  const j = JSON.parse(text);
  const row = j.data[0];
  return row ? { [j.options.a]: row.ra, [j.options.b]: row.rb, first: j.options.a } : null;
}

const per = []; // one entry per round
for (const r of rounds) {
  const lat = pair(`latency-${r}.json`);
  const bulk = pair(`bulk-${r}.json`);
  const fe = /p50 (\d+) p90 (\d+) p99 (\d+) max (\d+) lost (\d+)/.exec(read(`floor-echo-${r}.txt`) || '');
  const fb = /= ([\d.]+) MB\/s.*integrity (\w+)/.exec(read(`floor-bulk-${r}.txt`) || '');
  per.push({
    r,
    first: bulk?.first ?? lat?.first ?? '?',
    floorEcho: fe ? { p50: +fe[1], p99: +fe[3], lost: +fe[5] } : null,
    floorBulk: fb ? { mbps: +fb[1], ok: fb[2] === 'ok' } : null,
    wildflyEcho: lat?.wildfly ?? null,
    payaraEcho: lat?.payara ?? null,
    wildflyBulk: bulk?.wildfly ?? null,
    payaraBulk: bulk?.payara ?? null,
  });
}

const okBulk = (b) => b && b.integrity?.ok;
const col = (pick) => per.map(pick).filter((x) => Number.isFinite(x));
const ratios = (pick) => per.map((p) => pick(p)).filter((x) => Number.isFinite(x));
const ratioCell = (rs, digits = 2) => (rs.length
  ? `${fmt(median(rs), digits)} (${fmt(Math.min(...rs), digits)}-${fmt(Math.max(...rs), digits)}, ${rs.length} pairs)` : '-');
const intact = (pick) => `${per.filter((p) => okBulk(pick(p)) || (pick(p) && pick(p).ok)).length}/${per.filter((p) => pick(p)).length}`;

const echoRatio = (k) => (p) => (p.wildflyEcho && p.payaraEcho ? p.payaraEcho[k] / p.wildflyEcho[k] : NaN);
const bulkRatio = (p) => (okBulk(p.wildflyBulk) && okBulk(p.payaraBulk) ? p.payaraBulk.mbps / p.wildflyBulk.mbps : NaN);
const rows = [
  ['figure', 'bare PTY', 'WildFly', 'Payara', 'Payara/WildFly'],
  ['echo p50 (us)', fmt(median(col((p) => p.floorEcho?.p50))), fmt(median(col((p) => p.wildflyEcho?.p50))),
    fmt(median(col((p) => p.payaraEcho?.p50))), ratioCell(ratios(echoRatio('p50')))],
  ['echo p99 (us)', fmt(median(col((p) => p.floorEcho?.p99))), fmt(median(col((p) => p.wildflyEcho?.p99))),
    fmt(median(col((p) => p.payaraEcho?.p99))), ratioCell(ratios(echoRatio('p99')))],
  ['keystrokes lost', String(col((p) => p.floorEcho?.lost).reduce((a, b) => a + b, 0)),
    String(col((p) => p.wildflyEcho?.lost).reduce((a, b) => a + b, 0)),
    String(col((p) => p.payaraEcho?.lost).reduce((a, b) => a + b, 0)), ''],
  ['bulk (MB/s)', fmt(median(col((p) => (p.floorBulk?.ok ? p.floorBulk.mbps : NaN))), 1),
    fmt(median(col((p) => (okBulk(p.wildflyBulk) ? p.wildflyBulk.mbps : NaN))), 1),
    fmt(median(col((p) => (okBulk(p.payaraBulk) ? p.payaraBulk.mbps : NaN))), 1), ratioCell(ratios(bulkRatio))],
  ['bulk runs intact', intact((p) => p.floorBulk), intact((p) => p.wildflyBulk), intact((p) => p.payaraBulk), ''],
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));

console.log('\nPer round (first server of the pair; echo p50/p99 us; bulk MB/s, * = failed the byte check):');
for (const p of per) {
  const e = (x) => (x ? `${fmt(x.p50)}/${fmt(x.p99)}` : '-');
  const b = (x) => (x ? `${fmt(x.mbps, 1)}${okBulk(x) || x.ok ? '' : '*'}` : '-');
  console.log(`  round ${p.r} (${p.first} first): echo bare ${e(p.floorEcho)}, WildFly ${e(p.wildflyEcho)}, ` +
    `Payara ${e(p.payaraEcho)}; bulk bare ${b(p.floorBulk)}, WildFly ${b(p.wildflyBulk)}, Payara ${b(p.payaraBulk)}`);
}
