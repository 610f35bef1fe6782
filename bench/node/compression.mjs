#!/usr/bin/env node
// permessage-deflate on and off through one Tether node (bench/run-compression.sh): the same client
// (Node `ws`, protocol v1: ticket, hello, offset frames, acks) offers the extension or not, turn
// about, on loopback and through a throttled TCP proxy (a slow link simulated in this process, so
// nothing of the machine's network changes). Per run: MB/s of terminal output, bytes on the wire
// (what the socket read), the server JVM's CPU, and the output checked byte for byte.
//
//   node compression.mjs --base http://127.0.0.1:8080/tether --pid <server pid> [--rounds 5]
//     [--bulk 2000000] [--link-mbit 10,100] [--link-bulk 300000] [--link-rtt-ms 20] [--keys 300]
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import { ticket } from './tickets.mjs';

const o = {
  base: 'http://127.0.0.1:8080/tether', user: 'alice', pass: 'alice-pass', pid: 0, rounds: 5,
  bulk: 2000000, linkMbit: '10,100', linkBulk: 300000, linkRttMs: 20, keys: 300,
};
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(k in o)) throw new Error(`unknown option ${process.argv[i]}`);
  o[k] = typeof o[k] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true });

function serverCpuTicks() {
  if (!o.pid) return 0;
  const f = fs.readFileSync(`/proc/${o.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100/s)
}

// A TCP proxy on 127.0.0.1 whose server-to-client direction is limited to `mbit` and both
// directions delayed by half of `rttMs`: a slow link, inside this process. Each direction is a
// FIFO drained by one timer, so the bytes keep their order.
function delayed(to, onDrained) {
  const queue = [];
  let timer = null;
  const pump = () => {
    timer = null;
    const t = performance.now();
    while (queue.length && queue[0].due <= t) {
      const { chunk } = queue.shift();
      if (!to.destroyed) to.write(chunk);
      onDrained(chunk.length);
    }
    if (queue.length) timer = setTimeout(pump, Math.max(1, queue[0].due - t));
  };
  return (chunk, due) => {
    queue.push({ chunk, due });
    if (!timer) timer = setTimeout(pump, Math.max(1, due - performance.now()));
  };
}

function slowLink(targetPort, mbit, rttMs) {
  const bytesPerMs = (mbit * 1e6) / 8 / 1000;
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort }, () => upstream.setNoDelay(true));
    let free = 0; // when the link is free again (ms, performance.now)
    let queued = 0;
    const down = delayed(client, (n) => { queued -= n; if (queued <= 64 * 1024) upstream.resume(); });
    const up = delayed(upstream, () => {});
    upstream.on('data', (chunk) => {
      const t = performance.now();
      free = Math.max(free, t) + chunk.length / bytesPerMs;
      queued += chunk.length;
      if (queued > 256 * 1024) upstream.pause();
      down(chunk, free + rttMs / 2);
    });
    client.on('data', (chunk) => up(chunk, performance.now() + rttMs / 2));
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('close', end); upstream.on('close', end);
    client.on('error', end); upstream.on('error', end);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// One session: opens, waits for the prompt; output goes to `onOutput`.
async function open(deflate, port) {
  const url = new URL(o.base);
  if (port) url.port = String(port);
  const ws = new WebSocket(`${url.href.replace(/^http/, 'ws')}/ws/terminal`, ['tether.v1'],
    { perMessageDeflate: deflate ? { threshold: 0 } : false, agent: undefined });
  ws.binaryType = 'nodebuffer';
  const s = { ws, expected: 0, lastAck: 0, onOutput: () => {}, inputOffset: 0, attached: null, extensions: '' };
  s.attached = new Promise((resolve, reject) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const offset = Number(data.readBigUInt64BE(0));
        if (offset !== s.expected) { s.gap = `offset ${offset}, expected ${s.expected}`; ws.terminate(); return; }
        s.expected += data.length - 8;
        s.onOutput(data.subarray(8), now());
        if (s.expected - s.lastAck >= 256 * 1024) { s.lastAck = s.expected; ws.send(JSON.stringify({ type: 'ack', offset: s.expected })); }
        else setImmediate(() => { if (s.expected > s.lastAck && ws.readyState === 1) { s.lastAck = s.expected; ws.send(JSON.stringify({ type: 'ack', offset: s.expected })); } });
        return;
      }
      const m = JSON.parse(data.toString());
      if (m.type === 'attached') {
        s.expected = m.replayFrom; s.lastAck = m.replayFrom;
        s.hb = setInterval(() => { if (ws.readyState === 1) ws.send('{"type":"heartbeat"}'); }, m.heartbeatMillis);
        resolve();
      }
      if (m.type === 'resync') reject(new Error('resync: output lost'));
    });
    ws.on('close', (code, reason) => {
      if (s.hb) clearInterval(s.hb);
      s.closedWith = s.gap ? `output gap: ${s.gap}` : `closed ${code} ${reason}`;
      reject(new Error(s.closedWith));
      if (s.onClosed) s.onClosed(new Error(s.closedWith));
    });
    ws.on('error', reject);
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  s.extensions = ws.extensions;
  ws.send(JSON.stringify({ type: 'hello', ticket: await ticket(o.base, o, agent), sessionId: null, resumeOffset: 0,
    clientId: 'c-' + crypto.randomBytes(8).toString('hex'), inputOffset: 0, cols: 120, rows: 32 }));
  const prompt = new Promise((resolve, reject) => { s.firstPrompt = resolve; s.onClosed = reject; setTimeout(() => reject(new Error('no prompt in 30 s')), 30000).unref(); });
  s.onOutput = (buf) => { if (buf.includes('$ ')) s.firstPrompt(); };
  await s.attached;
  s.type = (text) => {
    const bytes = Buffer.from(text);
    const frame = Buffer.alloc(8 + bytes.length);
    frame.writeBigUInt64BE(BigInt(s.inputOffset));
    bytes.copy(frame, 8);
    s.inputOffset += bytes.length;
    ws.send(frame);
  };
  s.wait = (needle, timeoutMs = 120000) => new Promise((resolve, reject) => {
    let tail = '';
    const t = setTimeout(() => reject(new Error(`no ${needle}; tail ${JSON.stringify(tail.slice(-100))}`)), timeoutMs);
    s.onClosed = (e) => { clearTimeout(t); reject(e); };
    s.onOutput = (buf, at) => {
      tail = (tail + buf.toString('latin1')).slice(-4096);
      if (tail.includes(needle)) { clearTimeout(t); s.onOutput = () => {}; resolve(at); }
    };
  });
  s.wireRead = () => ws._socket.bytesRead;
  s.close = () => { s.type('exit\r'); setTimeout(() => ws.terminate(), 500).unref(); };
  await prompt;
  return s;
}

function expectedSeq(n) {
  const parts = [];
  for (let i = 1; i <= n; i++) parts.push(String(i));
  return Buffer.from(parts.join('\n') + '\n');
}

// `stty -opost; seq 1 n | cat`, checked byte for byte; MB/s from the first digit to the marker.
async function bulk(s, n, expected) {
  const chunks = [];
  let first = null;
  let last = null;
  const wire0 = s.wireRead();
  const cpu0 = serverCpuTicks();
  const done = new Promise((resolve, reject) => {
    let tail = '';
    const t = setTimeout(() => reject(new Error('bulk: timeout')), 300000);
    s.onClosed = (e) => { clearTimeout(t); reject(e); };
    s.onOutput = (buf, at) => {
      chunks.push(buf);
      if (first === null) first = at;
      tail = (tail + buf.toString('latin1')).slice(-64);
      if (tail.includes('E2ND\n')) { last = at; clearTimeout(t); resolve(); }
    };
  });
  s.type(`stty -opost; seq 1 ${n} | cat; echo E$((1+1))ND\r`);
  await done;
  const out = Buffer.concat(chunks);
  const start = out.indexOf('1\n2\n3\n4\n5\n');
  const end = out.lastIndexOf('E2ND\n');
  const intact = start >= 0 && out.subarray(start, end).equals(expected);
  if (!intact && process.env.DUMP) fs.writeFileSync(process.env.DUMP, out);
  const seconds = Number(last - first) / 1e9;
  await sleep(300); // the prompt after the marker, and the acks
  return {
    mbps: expected.length / 1e6 / seconds, seconds, intact,
    wire: s.wireRead() - wire0, bytes: expected.length, cpu: (serverCpuTicks() - cpu0) / 100,
  };
}

async function echo(s, keys) {
  const samples = [];
  for (let i = 0; i < keys + 20; i++) {
    const key = i % 2 === 0 ? 'x' : '\x7f';
    const needle = i % 2 === 0 ? 'x' : '\b';
    const seen = s.wait(needle, 5000);
    const t0 = now();
    s.type(key);
    const t1 = await seen;
    if (i >= 20) samples.push(Number(t1 - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p99: samples[Math.floor(samples.length * 0.99)] };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

let failures = 0;

async function main() {
  const port = Number(new URL(o.base).port);
  const expectedBulk = expectedSeq(o.bulk);
  const expectedLink = expectedSeq(o.linkBulk);
  const links = String(o.linkMbit).split(',').filter(Boolean).map(Number);
  const proxies = new Map();
  for (const mbit of links) proxies.set(mbit, await slowLink(port, mbit, o.linkRttMs));
  const rows = { loop: { plain: [], deflate: [] }, echo: { plain: [], deflate: [] } };
  for (const mbit of links) rows[mbit] = { plain: [], deflate: [] };
  console.log(`permessage-deflate on and off, ${new Date().toISOString()}; ${o.rounds} rounds, turn about`);
  console.log(`loopback bulk: seq 1 ${o.bulk} (${expectedBulk.length} bytes); slow links: ${links.join(', ')} Mbit/s, RTT ${o.linkRttMs} ms, seq 1 ${o.linkBulk} (${expectedLink.length} bytes)`);
  for (let round = 1; round <= o.rounds; round++) {
    const order = round % 2 ? ['plain', 'deflate'] : ['deflate', 'plain'];
    for (const mode of order) {
      try {
      const s = await open(mode === 'deflate');
      if ((mode === 'deflate') !== /permessage-deflate/.test(s.extensions)) throw new Error(`${mode}: negotiated '${s.extensions}'`);
      const b = await bulk(s, o.bulk, expectedBulk);
      rows.loop[mode].push(b);
      const e = await echo(s, o.keys);
      rows.echo[mode].push(e);
      console.log(`round ${round} ${mode.padEnd(7)} loopback: ${f(b.mbps)} MB/s, ${b.wire} bytes read for ${b.bytes} (${f(b.bytes / b.wire, 2)}x), server CPU ${f(b.cpu, 2)} s, ${b.intact ? 'intact' : 'NOT INTACT'}; echo p50 ${f(e.p50, 0)} µs p99 ${f(e.p99, 0)} µs [${s.extensions || 'no extension'}]`);
      s.close();
      for (const mbit of links) {
        const t = await open(mode === 'deflate', proxies.get(mbit).address().port);
        const r = await bulk(t, o.linkBulk, expectedLink);
        rows[mbit][mode].push(r);
        console.log(`round ${round} ${mode.padEnd(7)} ${mbit} Mbit/s: ${f(r.seconds * 1000, 0)} ms, ${f(r.mbps, 2)} MB/s, ${r.wire} bytes read, ${r.intact ? 'intact' : 'NOT INTACT'}`);
        t.close();
      }
      } catch (e) {
        failures++;
        console.log(`round ${round} ${mode}: FAILED, ${e.message} (the step is skipped)`);
      }
    }
  }
  console.log('\nSummary (medians over rounds; deflate/plain per round, then the median of those ratios):');
  const ratio = (a, b, key) => median(a.map((x, i) => (b[i] ? x[key] / b[i][key] : NaN)).filter(Number.isFinite));
  const L = rows.loop;
  console.log(`A/B loopback bulk: plain ${f(median(L.plain.map((x) => x.mbps)))} MB/s, deflate ${f(median(L.deflate.map((x) => x.mbps)))} MB/s, deflate/plain ${f(ratio(L.deflate, L.plain, 'mbps'), 2)}`);
  console.log(`A/B loopback bytes on the wire: plain ${median(L.plain.map((x) => x.wire))}, deflate ${median(L.deflate.map((x) => x.wire))} (${f(median(L.deflate.map((x) => x.bytes / x.wire)), 2)}x smaller)`);
  console.log(`A/B loopback server CPU per run: plain ${f(median(L.plain.map((x) => x.cpu)), 2)} s, deflate ${f(median(L.deflate.map((x) => x.cpu)), 2)} s`);
  const E = rows.echo;
  console.log(`A/B echo p50: plain ${f(median(E.plain.map((x) => x.p50)), 0)} µs, deflate ${f(median(E.deflate.map((x) => x.p50)), 0)} µs; p99 ${f(median(E.plain.map((x) => x.p99)), 0)} / ${f(median(E.deflate.map((x) => x.p99)), 0)} µs`);
  for (const mbit of links) {
    const R = rows[mbit];
    console.log(`A/B ${mbit} Mbit/s link, RTT ${o.linkRttMs} ms: plain ${f(median(R.plain.map((x) => x.seconds * 1000)), 0)} ms (${f(median(R.plain.map((x) => x.mbps)), 2)} MB/s), deflate ${f(median(R.deflate.map((x) => x.seconds * 1000)), 0)} ms (${f(median(R.deflate.map((x) => x.mbps)), 2)} MB/s), deflate/plain throughput ${f(ratio(R.deflate, R.plain, 'mbps'), 2)}`);
  }
  const all = Object.values(rows).flatMap((r) => [...r.plain, ...r.deflate]).filter((x) => 'intact' in x);
  console.log(`bulk runs intact: ${all.filter((x) => x.intact).length}/${all.length}; steps failed: ${failures}`);
  for (const p of proxies.values()) p.close();
  agent.destroy();
  setTimeout(() => process.exit(all.every((x) => x.intact) ? 0 : 1), 1000);
}

main().catch((e) => { console.error(e); process.exit(1); });
