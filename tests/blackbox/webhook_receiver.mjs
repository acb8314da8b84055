// webhook_receiver.mjs — a loopback webhook receiver for the black-box and
// SDK tests, and the independent check of both signature headers.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';

import { sleep } from './lib.mjs';

// A loopback receiver. behave(req, n) → {status, delayMs, headers} decides the
// answer to the n-th request (1-based). Every request is recorded with its raw
// body and headers, in arrival order.
export async function startReceiver(behave = () => ({ status: 200 }), port = 0) {
  const got = [];
  let n = 0;
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const b = behave(req, ++n) || {};
      got.push({ at: Date.now(), headers: req.headers, raw, body: JSON.parse(raw), status: b.status ?? 200 });
      if (b.delayMs) await sleep(b.delayMs);
      res.writeHead(b.status ?? 200, b.headers || {});
      res.end(b.body ?? 'ok');
    });
  });
  srv.keepAliveTimeout = 100;
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  const p = srv.address().port;
  return {
    got,
    port: p,
    url: `http://127.0.0.1:${p}/hooks`,
    types: () => got.filter((g) => g.status < 300).map((g) => g.body.type),
    close: () => new Promise((r) => { srv.closeAllConnections?.(); srv.close(() => r()); }),
  };
}

// The independent check of both signatures (not the SDK: tests/sdk has that).
export function verify(rec, secret) {
  const h = rec.headers;
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(h['mux-signature']);
  assert.ok(m, `mux-signature ${h['mux-signature']}`);
  const want = crypto.createHmac('sha256', secret).update(`${m[1]}.${rec.raw}`).digest('hex');
  assert.equal(m[2], want, 'mux-signature v1');
  assert.ok(Math.abs(Date.now() / 1000 - Number(m[1])) < 300, 'fresh timestamp');
  assert.equal(h['webhook-id'], rec.body.id, 'webhook-id is the event id');
  assert.equal(h['webhook-timestamp'], m[1]);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const std = crypto.createHmac('sha256', key)
    .update(`${h['webhook-id']}.${h['webhook-timestamp']}.${rec.raw}`).digest('base64');
  assert.equal(h['webhook-signature'], `v1,${std}`, 'webhook-signature');
  assert.equal(h['content-type'], 'application/json');
  assert.match(h['user-agent'], /^robots-webhooks\//);
}

