#!/usr/bin/env node
// Many live sessions on one node (bench/run-many.sh): opens --sessions sessions (protocol v1, as the
// page does: ticket, hello, acks, heartbeats), --typists of them typing at --rate keys/s for
// --type-seconds while the others idle, measuring every keystroke's echo; counts sessions refused
// or lost; reads the node's heap (live after a full collection, jcmd), RSS, threads and descriptors
// at each step; then closes them all (typing exit, as a user does), opens and closes them again in
// waves, and reads the same figures after each wave, to show that memory returns. The figures after a
// close are read once the node has finished ending the sessions: when its threads and descriptors are
// back near their start or no longer falling (settle()), and the wait is printed.
//
//   node many.mjs --base http://127.0.0.1:8080/tether --pid <server pid> --users alice:alice-pass,bob:bob-pass
//     [--sessions 2000] [--typists 100] [--rate 5] [--type-seconds 60] [--concurrency 8] [--waves 2]
//     [--close-seconds 120] [--samples-file FILE: every echo as "epoch-ms typist µs", one a line]
//     [--warmup-seconds 5: the typists type this long first; those echoes are reported apart]
import http from 'node:http';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { ticket } from './tickets.mjs';

const o = {
  base: 'http://127.0.0.1:8080/tether', pid: 0, users: 'alice:alice-pass,bob:bob-pass',
  sessions: 2000, typists: 100, rate: 5, typeSeconds: 60, concurrency: 8, waves: 2, closeSeconds: 120,
  samplesFile: '', warmupSeconds: 5,
};
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(k in o)) throw new Error(`unknown option ${process.argv[i]}`);
  o[k] = typeof o[k] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const users = o.users.split(',').map((s) => { const i = s.indexOf(':'); return { user: s.slice(0, i), pass: s.slice(i + 1) }; });
const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${msg}`);

// The node's threads and descriptors, read cheaply (no collection): what settle() polls.
function nodeCounts() {
  const status = fs.readFileSync(`/proc/${o.pid}/status`, 'utf8');
  return {
    threads: Number((status.match(/^Threads:\s+(\d+)/m) || [])[1]),
    fds: fs.readdirSync(`/proc/${o.pid}/fd`).length,
  };
}

// After closing sessions: waits until the node has finished ending them, that is until its threads
// and descriptors are back near `before` (within `near` of it), or have stopped falling (no new low
// for `quietMs`), or `deadlineMs` has passed; polls every `pollMs`. Returns how it ended and when.
async function settle(before, { near = 16, quietMs = 5000, deadlineMs = 120000, pollMs = 250 } = {}) {
  const start = Date.now();
  let low = nodeCounts();
  let lowAt = start;
  for (;;) {
    const c = nodeCounts();
    const elapsed = Date.now() - start;
    if (c.threads - before.threads <= near && c.fds - before.fds <= near) return { how: 'back near the start', ms: elapsed };
    if (c.threads < low.threads || c.fds < low.fds) {
      low = { threads: Math.min(c.threads, low.threads), fds: Math.min(c.fds, low.fds) };
      lowAt = Date.now();
    } else if (Date.now() - lowAt >= quietMs) return { how: `no longer falling for ${quietMs / 1000} s`, ms: lowAt - start };
    if (elapsed >= deadlineMs) return { how: `still falling at the deadline of ${deadlineMs / 1000} s`, ms: elapsed };
    await sleep(pollMs);
  }
}

// The node's memory and threads. Heap: used after a full collection (GC.run, then GC.heap_info).
// jcmd runs beside this process, not blocking it: on a busy machine it can take many seconds, and
// a client that neither acknowledged output nor sent heartbeats that long was cut off (4007).
const run = promisify(execFile);
async function nodeFigures() {
  const status = fs.readFileSync(`/proc/${o.pid}/status`, 'utf8');
  const field = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1]);
  await run('jcmd', [String(o.pid), 'GC.run']);
  const info = (await run('jcmd', [String(o.pid), 'GC.heap_info'], { encoding: 'utf8' })).stdout;
  const heap = info.match(/total (\d+)K, used (\d+)K/);
  const meta = info.match(/Metaspace\s+used (\d+)K/);
  const rss = Number((fs.readFileSync(`/proc/${o.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m) || [])[1]);
  return {
    heapUsedMiB: heap ? Number(heap[2]) / 1024 : NaN, heapTotalMiB: heap ? Number(heap[1]) / 1024 : NaN,
    metaMiB: meta ? Number(meta[1]) / 1024 : NaN, rssMiB: rss / 1024, threads: field('Threads'),
    fds: fs.readdirSync(`/proc/${o.pid}/fd`).length,
    tasks: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[3],
  };
}
const fmt = (f) => `heap live ${f.heapUsedMiB.toFixed(1)} MiB (of ${f.heapTotalMiB.toFixed(0)} MiB committed), RSS ${f.rssMiB.toFixed(0)} MiB, threads ${f.threads}, fds ${f.fds}, machine tasks ${f.tasks}`;

const closeCodes = new Map();
let nextUser = 0;

async function openSession() {
  const who = users[nextUser++ % users.length];
  const s = { expected: 0, lastAck: 0, inputOffset: 0, waiter: null, closed: false, closeCode: 0, hb: null };
  const tk = await ticket(o.base, who, agent);
  const ws = new WebSocket(`${o.base.replace(/^http/, 'ws')}/ws/terminal`, ['tether.v1'], { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  s.ws = ws;
  let prompted;
  const prompt = new Promise((resolve, reject) => { prompted = { resolve, reject }; });
  let seenPrompt = false;
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const at = now();
      s.expected = Number(data.readBigUInt64BE(0)) + data.length - 8;
      if (!seenPrompt && data.includes('$ ', 8)) { seenPrompt = true; prompted.resolve(); }
      if (s.waiter && data.includes(s.waiter.needle, 8)) { const w = s.waiter; s.waiter = null; w.resolve(at); }
      if (s.expected - s.lastAck > 64 * 1024 || true) {
        setImmediate(() => { if (s.expected > s.lastAck && ws.readyState === 1) { s.lastAck = s.expected; ws.send(JSON.stringify({ type: 'ack', offset: s.expected })); } });
      }
      return;
    }
    const m = JSON.parse(data.toString());
    if (m.type === 'attached') {
      s.expected = m.replayFrom; s.lastAck = m.replayFrom;
      s.hb = setInterval(() => { if (ws.readyState === 1) ws.send('{"type":"heartbeat"}'); }, m.heartbeatMillis);
    }
  });
  ws.on('close', (code) => {
    s.closed = true; s.closeCode = code;
    closeCodes.set(code, (closeCodes.get(code) || 0) + 1);
    if (s.hb) clearInterval(s.hb);
    prompted.reject(new Error(`closed ${code}`));
    if (s.onClose) s.onClose(code);
  });
  ws.on('error', () => {});
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); ws.once('close', (c) => reject(new Error(`closed ${c}`))); });
  ws.send(JSON.stringify({ type: 'hello', ticket: tk, sessionId: null, resumeOffset: 0,
    clientId: 'm-' + crypto.randomBytes(8).toString('hex'), inputOffset: 0, cols: 120, rows: 32 }));
  const timer = setTimeout(() => prompted.reject(new Error('no prompt in 60 s')), 60000);
  try { await prompt; } finally { clearTimeout(timer); }
  s.type = (text) => {
    const bytes = Buffer.from(text);
    const frame = Buffer.alloc(8 + bytes.length);
    frame.writeBigUInt64BE(BigInt(s.inputOffset));
    bytes.copy(frame, 8);
    s.inputOffset += bytes.length;
    ws.send(frame);
  };
  return s;
}

// Opens n sessions, `concurrency` at a time; returns the sessions and the failures by reason.
async function openMany(n) {
  const sessions = [];
  const failures = new Map();
  let started = 0;
  const times = [];
  const worker = async () => {
    while (started < n) {
      started++;
      const a = Date.now();
      try {
        sessions.push(await openSession());
        times.push(Date.now() - a);
      } catch (e) {
        const why = e.message.replace(/\d{5,}/g, 'N');
        failures.set(why, (failures.get(why) || 0) + 1);
      }
      if (started % 250 === 0) log(`  ${started} opened or tried`);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  times.sort((a, b) => a - b);
  return { sessions, failures, p50: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)] };
}

// Types exit in every session at once, as users do, and waits up to --close-seconds for the node to
// close each socket; a socket it has not closed by then is cut by the client (which ws reports as
// 1006). Returns how long the node took to close them (p50, p99, max) and how many it did not.
async function closeAll(sessions) {
  const start = Date.now();
  const took = [];
  let unanswered = 0;
  await Promise.all(sessions.map((s) => new Promise((resolve) => {
    if (s.closed) { resolve(); return; }
    const t = setTimeout(() => { unanswered++; s.onClose = null; s.ws.terminate(); resolve(); }, o.closeSeconds * 1000);
    s.onClose = () => { clearTimeout(t); took.push(Date.now() - start); resolve(); };
    s.type('\x15exit\r'); // Ctrl-U first: a typist may have left an x on the line
  })));
  took.sort((a, b) => a - b);
  const q = (p) => took.length ? (took[Math.min(took.length - 1, Math.floor(took.length * p))] / 1000).toFixed(1) : '-';
  return `${took.length} closed by the node (after p50 ${q(0.5)} s, p99 ${q(0.99)} s, max ${q(1)} s), ${unanswered} not within ${o.closeSeconds} s`;
}

// The node's garbage collections so far (jstat): pauses of the young and full kind, and the
// seconds spent in them; with ZGC, its cycles, which stop the threads only briefly.
async function gcCounts() {
  const out = (await run('jstat', ['-gc', String(o.pid)], { encoding: 'utf8' })).stdout.trim().split('\n');
  const names = out[0].trim().split(/\s+/);
  const values = out[1].trim().split(/\s+/).map(Number);
  const get = (name) => values[names.indexOf(name)] ?? NaN;
  return { pauses: get('YGC') + get('FGC'), seconds: get('YGCT') + get('FGCT'), cycles: get('CGC') };
}

// This client's own collections, [start (epoch ms), duration (ms)]: an echo that arrives during
// one is measured late by as much.
const clientGcs = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) clientGcs.push([performance.timeOrigin + e.startTime, e.duration]);
}).observe({ entryTypes: ['gc'] });

async function typing(typists) {
  const samples = [];
  // The first keystrokes after the long idle spell run the node's input path cold (the JIT has not
  // compiled it: opening sessions sends no input), all typists at once: measured, but apart.
  const warm = [];
  const timeline = []; // [when (ms), typist, echo (µs)], for --samples-file
  let missed = 0;
  // This client's own delays: a keystroke's echo that waits on a busy event loop is measured late.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const warmUntil = Date.now() + o.warmupSeconds * 1000;
  const until = warmUntil + o.typeSeconds * 1000;
  let gcBefore = await gcCounts();
  const measuring = sleep(o.warmupSeconds * 1000).then(async () => {
    loopDelay.enable();
    gcBefore = await gcCounts();
  });
  const period = 1000 / o.rate;
  await Promise.all(typists.map(async (s, i) => {
    await sleep((i * period) / typists.length); // spread the typists over one period
    let k = 0;
    while (Date.now() < until && !s.closed) {
      const next = Date.now() + period;
      const key = k % 2 === 0 ? 'x' : '\x7f';
      const needle = k % 2 === 0 ? 'x' : '\b';
      const seen = new Promise((resolve) => { s.waiter = { needle: Buffer.from(needle), resolve }; });
      const a = now();
      const sentAt = Date.now();
      s.type(key);
      const timeout = sleep(5000).then(() => null);
      const at = await Promise.race([seen, timeout]);
      const sent = sentAt;
      if (at === null) { missed++; s.waiter = null; } else {
        (sent < warmUntil ? warm : samples).push(Number(at - a) / 1000);
        timeline.push([sent, i, Number(at - a) / 1000]);
      }
      k++;
      await sleep(Math.max(0, next - Date.now()));
    }
  }));
  await measuring;
  loopDelay.disable();
  const gcAfter = await gcCounts();
  warm.sort((a, b) => a - b);
  const gcs = clientGcs.filter(([at]) => at >= warmUntil && at < until);
  if (o.samplesFile) {
    fs.writeFileSync(o.samplesFile, timeline.map((t) => t.join(' ')).join('\n') + '\n');
    fs.writeFileSync(`${o.samplesFile}.client-gc`, gcs.map((g) => g.join(' ')).join('\n') + '\n');
  }
  samples.sort((a, b) => a - b);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))];
  return {
    n: samples.length, missed, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: samples[samples.length - 1],
    loopP99Ms: loopDelay.percentile(99) / 1e6, loopMaxMs: loopDelay.max / 1e6,
    gcPauses: gcAfter.pauses - gcBefore.pauses, gcPauseMs: (gcAfter.seconds - gcBefore.seconds) * 1000,
    gcCycles: gcAfter.cycles - gcBefore.cycles,
    clientGcs: gcs.length, clientGcMs: gcs.reduce((a, g) => a + g[1], 0), clientGcMaxMs: Math.max(0, ...gcs.map((g) => g[1])),
    warmN: warm.length, warmP99: warm[Math.min(warm.length - 1, Math.floor(warm.length * 0.99))], warmMax: warm[warm.length - 1],
  };
}

async function main() {
  log(`${o.sessions} sessions on ${o.base}, ${o.typists} typing at ${o.rate} keys/s for ${o.typeSeconds} s, then ${o.waves} waves of open and close; ${o.concurrency} opens at a time`);
  const before = await nodeFigures();
  log(`node before: ${fmt(before)}`);
  const cpu = (pid) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
  const baseFrom = cpu(o.pid);
  await sleep(10000);
  const baseCpu = (cpu(o.pid) - baseFrom) / 10;
  log(`node's CPU with no session: ${(baseCpu * 100).toFixed(1)}% of one core (10 s)`);

  const first = await openMany(o.sessions);
  log(`opened ${first.sessions.length} of ${o.sessions} (open to prompt p50 ${first.p50} ms, p99 ${first.p99} ms); refused or failed: ${JSON.stringify(Object.fromEntries(first.failures))}`);
  const open = await nodeFigures();
  log(`node with ${first.sessions.length} sessions: ${fmt(open)}`);
  const n = first.sessions.length;
  log(`per session: heap ${(((open.heapUsedMiB - before.heapUsedMiB) * 1024) / n).toFixed(1)} KiB, RSS ${(((open.rssMiB - before.rssMiB) * 1024) / n).toFixed(0)} KiB, threads ${((open.threads - before.threads) / n).toFixed(2)}, fds ${((open.fds - before.fds) / n).toFixed(2)}`);

  const idleFrom = cpu(o.pid);
  await sleep(10000);
  const idleCpu = (cpu(o.pid) - idleFrom) / 10;
  log(`node's CPU with ${n} idle sessions: ${(idleCpu * 100).toFixed(1)}% of one core (10 s)`);

  const typeFrom = cpu(o.pid);
  const echo = await typing(first.sessions.slice(0, o.typists));
  const typeCpu = (cpu(o.pid) - typeFrom) / (o.typeSeconds + o.warmupSeconds);
  log(`node's CPU while ${o.typists} type: ${(typeCpu * 100).toFixed(1)}% of one core`);
  log(`echo of ${echo.n} keystrokes after the first ${o.warmupSeconds} s (${o.typists} sessions typing, ${n - o.typists} idle): p50 ${echo.p50?.toFixed(0)} µs, p90 ${echo.p90?.toFixed(0)} µs, p99 ${echo.p99?.toFixed(0)} µs, max ${echo.max?.toFixed(0)} µs; ${echo.missed} without echo in 5 s`);
  log(`the first ${o.warmupSeconds} s of typing (${echo.warmN} keystrokes, not counted above): p99 ${echo.warmP99?.toFixed(0)} µs, max ${echo.warmMax?.toFixed(0)} µs`);
  const pauseMean = echo.gcPauses > 0 ? `, ${(echo.gcPauseMs / echo.gcPauses).toFixed(1)} ms each on average` : '';
  log(`meanwhile: the node paused for ${echo.gcPauses} collections, ${echo.gcPauseMs.toFixed(0)} ms in all${pauseMean} (${echo.gcCycles} concurrent cycles); this client's event loop was late by p99 ${echo.loopP99Ms.toFixed(1)} ms, max ${echo.loopMaxMs.toFixed(1)} ms, and it collected ${echo.clientGcs} times, ${echo.clientGcMs.toFixed(0)} ms in all, the longest ${echo.clientGcMaxMs.toFixed(1)} ms`);
  const lost = first.sessions.filter((s) => s.closed).length;
  log(`sessions closed by the node while open: ${lost}`);

  const closing = Date.now();
  const closes = await closeAll(first.sessions);
  const closedMs = Date.now() - closing;
  const back = await settle(before); // the node ends and reaps the sessions
  const after = await nodeFigures();
  log(`node after closing them all (every close answered in ${(closedMs / 1000).toFixed(1)} s, then ${back.how} after ${(back.ms / 1000).toFixed(1)} s more): ${fmt(after)}`);
  log(`closes: ${closes}`);

  const waves = [];
  for (let w = 1; w <= o.waves; w++) {
    const wave = await openMany(o.sessions);
    const top = await nodeFigures();
    log(`wave ${w}: opened ${wave.sessions.length} (p50 ${wave.p50} ms); refused or failed ${JSON.stringify(Object.fromEntries(wave.failures))}; ${fmt(top)}`);
    const closing = Date.now();
    const closes = await closeAll(wave.sessions);
    const closedMs = Date.now() - closing;
    const back = await settle(before);
    const bottom = await nodeFigures();
    log(`wave ${w}: closed (every close answered in ${(closedMs / 1000).toFixed(1)} s, then ${back.how} after ${(back.ms / 1000).toFixed(1)} s more); ${fmt(bottom)}`);
    log(`wave ${w}: closes: ${closes}`);
    waves.push({ opened: wave.sessions.length, failures: [...wave.failures.values()].reduce((a, b) => a + b, 0), top, bottom });
  }
  log(`close codes seen: ${JSON.stringify(Object.fromEntries(closeCodes))}`);

  console.log('\nSummary');
  console.log(`sessions open at once: ${n} of ${o.sessions}; refused or failed: ${o.sessions - n}`);
  console.log(`echo p99 with ${o.typists} typing at ${o.rate} keys/s: ${(echo.p99 / 1000).toFixed(2)} ms (p50 ${(echo.p50 / 1000).toFixed(2)} ms; target under 10 ms); ${echo.missed} keystrokes without echo`);
  console.log(`node's CPU: ${(baseCpu * 100).toFixed(1)}% of a core with no session, ${(idleCpu * 100).toFixed(1)}% with every session idle, ${(typeCpu * 100).toFixed(1)}% while ${o.typists} type`);
  console.log(`| step | heap live (MiB) | RSS (MiB) | threads | fds |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  const row = (name, f) => console.log(`| ${name} | ${f.heapUsedMiB.toFixed(1)} | ${f.rssMiB.toFixed(0)} | ${f.threads} | ${f.fds} |`);
  row('before', before);
  row(`${n} sessions open`, open);
  row('all closed', after);
  waves.forEach((w, i) => { row(`wave ${i + 1}: ${w.opened} open`, w.top); row(`wave ${i + 1}: closed`, w.bottom); });
  agent.destroy();
  setTimeout(() => process.exit(n === o.sessions ? 0 : 1), 500);
}

main().catch((e) => { console.error(e); process.exit(1); });
