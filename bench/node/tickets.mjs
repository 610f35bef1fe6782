// A ticket for one WebSocket session, as the page gets it: POST /api/tickets with HTTP Basic.
// Shared by the benchmark clients (compression.mjs, many.mjs).
import http from 'node:http';

export function ticket(base, { user, pass }, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/tickets`, {
      method: 'POST', agent, timeout: 30000,
      headers: { Authorization: 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64'), 'Content-Length': 0 },
    }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => (res.statusCode === 201
        ? resolve(JSON.parse(Buffer.concat(parts)).ticket)
        : reject(new Error(`ticket: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('ticket: timeout')));
    req.on('error', reject);
    req.end();
  });
}
