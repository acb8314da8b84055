// auth.test.mjs — HTTP Basic auth, scopes and environment isolation (spec §1.2).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  client, createCaptionsAsset, createToken, editParams, errorBody, request, revokeToken,
  startServer, STORE, storeBytes, tempDir,
} from './lib.mjs';

let server;
let dataDir;
let full;       // env "alpha", robots + video
let other;      // env "beta", robots + video
let robotsOnly; // env "alpha", robots only
let videoOnly;  // env "alpha", video only
let revoked;    // env "alpha", revoked before start
let asset;      // env "alpha"
let betaAsset;  // env "beta"

before(async () => {
  dataDir = tempDir();
  full = createToken(dataDir, 'alpha');
  other = createToken(dataDir, 'beta');
  robotsOnly = createToken(dataDir, 'alpha', ['robots:*']);
  videoOnly = createToken(dataDir, 'alpha', ['video:*']);
  revoked = createToken(dataDir, 'alpha');
  revokeToken(dataDir, revoked.id);
  betaAsset = createCaptionsAsset(dataDir, 'beta', 'WEBVTT\n\n00:00.000 --> 00:01.000\nWe are gonna go.\n');
  asset = createCaptionsAsset(dataDir, 'alpha', 'WEBVTT\n\n00:00.000 --> 00:01.000\nWe are gonna go.\n');
  // No workers: jobs stay pending, so cancel from the other env is meaningful.
  server = await startServer({ dataDir, workers: 0 });
});

after(async () => {
  await server?.stop();
});

function assert401(r) {
  errorBody(assert, r, 401, 'unauthorized');
  const wa = r.headers.get('www-authenticate');
  assert.ok(wa && /^basic/i.test(wa), `WWW-Authenticate missing or not Basic: ${wa}`);
}

describe('credentials', () => {
  const paths = [
    ['GET', '/robots/v0/jobs'],
    ['GET', '/video/v1/assets'],
    ['POST', '/robots/v0/jobs/edit-captions'],
  ];

  test('token create prints the environment and scopes', () => {
    assert.match(full.id, /\S/);
    assert.equal(full.environment.name, 'alpha');
    assert.ok(full.environment.id);
    assert.deepEqual([...full.scopes].sort(), ['robots:*', 'video:*']);
    assert.notEqual(other.environment.id, full.environment.id);
    assert.equal(robotsOnly.environment.id, full.environment.id);
  });

  for (const [method, p] of paths) {
    test(`no Authorization header → 401 (${method} ${p})`, async () => {
      assert401(await request(server, method, p, { body: method === 'POST' ? {} : undefined }));
    });
  }

  test('wrong secret → 401', async () => {
    assert401(await request(server, 'GET', '/robots/v0/jobs',
      { token: { id: full.id, secret: full.secret + 'x' } }));
  });

  test('unknown token id → 401', async () => {
    assert401(await request(server, 'GET', '/robots/v0/jobs',
      { token: { id: 'no-such-token', secret: full.secret } }));
  });

  test('revoked token → 401', async () => {
    assert401(await request(server, 'GET', '/robots/v0/jobs', { token: revoked }));
  });

  const malformed = {
    'empty Basic': 'Basic ',
    'not base64': 'Basic !!!***',
    'no colon': 'Basic ' + Buffer.from('justanid').toString('base64'),
    'unknown scheme': 'Digest username="x"',
    'scheme only': 'Basic',
    'bogus bearer': 'Bearer not-a-real-token',
  };
  for (const [name, auth] of Object.entries(malformed)) {
    test(`malformed header (${name}) → 401`, async () => {
      assert401(await request(server, 'GET', '/robots/v0/jobs', { auth }));
    });
  }

  test('valid token → 200', async () => {
    const r = await request(server, 'GET', '/robots/v0/jobs', { token: full });
    assert.equal(r.status, 200, r.text);
  });

  test('/healthz needs no credentials', async () => {
    const r = await request(server, 'GET', '/healthz');
    assert.equal(r.status, 200);
  });
});

describe('secrets at rest', () => {
  test('token secrets never reach the database in clear', () => {
    // The SQLite files (with the WAL) or a dump of the PostgreSQL database.
    const bytes = storeBytes(dataDir);
    assert.ok(bytes.length > 0, `no database for ${dataDir}`);
    for (const t of [full, other, robotsOnly, videoOnly, revoked]) {
      assert.ok(bytes.indexOf(t.id) >= 0, 'the dump holds the token rows');
      assert.equal(bytes.indexOf(t.secret), -1, `the ${STORE} store contains a token secret`);
    }
  });
});

describe('scopes', () => {
  test('robots-only token on /video → 403', async () => {
    const c = client(server, robotsOnly);
    errorBody(assert, await c.get('/video/v1/assets'), 403, 'forbidden');
    errorBody(assert, await c.get(`/video/v1/assets/${asset.id}`), 403, 'forbidden');
    const ok = await c.get('/robots/v0/jobs');
    assert.equal(ok.status, 200, ok.text);
  });

  test('video-only token on /robots → 403', async () => {
    const c = client(server, videoOnly);
    errorBody(assert, await c.get('/robots/v0/jobs'), 403, 'forbidden');
    errorBody(assert, await c.post('/robots/v0/jobs/edit-captions',
      { parameters: editParams(asset, 1) }), 403, 'forbidden');
    const ok = await c.get(`/video/v1/assets/${asset.id}`);
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('environment isolation', () => {
  let job;

  before(async () => {
    const r = await client(server, full).post('/robots/v0/jobs/edit-captions',
      { parameters: editParams(asset, 7) });
    assert.equal(r.status, 202, r.text);
    job = r.json.data;
  });

  test("another environment's job is 404 on GET", async () => {
    const c = client(server, other);
    errorBody(assert, await c.get(`/robots/v0/jobs/edit-captions/${job.id}`), 404, 'not_found');
    const mine = await client(server, full).get(`/robots/v0/jobs/edit-captions/${job.id}`);
    assert.equal(mine.status, 200, mine.text);
  });

  test("another environment's job is 404 on cancel, and stays pending", async () => {
    errorBody(assert, await client(server, other).post(`/robots/v0/jobs/${job.id}/cancel`),
      404, 'not_found');
    const mine = await client(server, full).get(`/robots/v0/jobs/edit-captions/${job.id}`);
    assert.equal(mine.json.data.status, 'pending');
  });

  test("another environment's list does not show it", async () => {
    const r = await client(server, other).get('/robots/v0/jobs?limit=100');
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.json.data.some((j) => j.id === job.id));
    assert.equal(r.json.total_row_count, 0);
    const f = await client(server, other).get(`/robots/v0/jobs?asset_id=${asset.id}`);
    assert.equal(f.status, 200, f.text);
    assert.deepEqual(f.json.data, []);
    const mine = await client(server, full).get('/robots/v0/jobs?limit=100');
    assert.ok(mine.json.data.some((j) => j.id === job.id));
  });

  test("another environment's asset is 404, and 422 as a job input", async () => {
    const c = client(server, other);
    errorBody(assert, await c.get(`/video/v1/assets/${asset.id}`), 404, 'not_found');
    errorBody(assert, await c.del(`/video/v1/assets/${asset.id}`), 404, 'not_found');
    const list = await c.get('/video/v1/assets');
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.json.data.some((a) => a.id === asset.id));
    const r = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 8) });
    errorBody(assert, r, 422, 'invalid_parameters');
    // The asset is still there for its owner.
    const mine = await client(server, full).get(`/video/v1/assets/${asset.id}`);
    assert.equal(mine.status, 200, mine.text);
  });

  test('an Idempotency-Key is per environment', async () => {
    const headers = { 'idempotency-key': 'shared-key-1' };
    const a = await client(server, full).post('/robots/v0/jobs/edit-captions',
      { parameters: editParams(asset, 20) }, { headers });
    assert.equal(a.status, 202, a.text);
    const b = await client(server, other).post('/robots/v0/jobs/edit-captions',
      { parameters: editParams(betaAsset, 20) }, { headers });
    assert.equal(b.status, 202, b.text);
    assert.notEqual(a.json.data.id, b.json.data.id);
    const g = await client(server, other).get(`/robots/v0/jobs/edit-captions/${a.json.data.id}`);
    assert.equal(g.status, 404);
  });
});
