// jobs_api.test.mjs — create / get / list / cancel, duplicates, idempotency,
// 501 for unimplemented workflows and the HTTP-level errors (spec §1.4–1.7,
// §2, §3.1, §6).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import {
  IMPLEMENTED, WORKFLOWS, editParams, errorBody, qs, request, setup, sleep, textTrack, waitJob,
} from './lib.mjs';

// Links are built on --public-url, not on the address the server listens on.
const PUBLIC = 'https://robots.example.test';
// Server A: no workers, so every job stays pending until cancelled.
let A;
// Server B: one worker that holds each job for 2 s in "processing".
let B;

before(async () => {
  A = await setup({ nAssets: 3, workers: 0, publicUrl: PUBLIC });
  B = await setup({ nAssets: 3, workers: 1, env: { ROBOTS_DEBUG_WORKFLOW_DELAY_MS: '2000' } });
});

after(async () => {
  await Promise.all([A?.server.stop(), B?.server.stop()]);
});

function assertJobShape(job, { status, workflow = 'edit-captions' } = {}) {
  assert.match(job.id, /^rjob_/);
  assert.equal(job.workflow, workflow);
  if (status) assert.equal(job.status, status);
  assert.equal(typeof job.parameters, 'object');
  assert.ok(Number.isInteger(job.units_consumed) && job.units_consumed >= 0);
  assert.ok(Number.isInteger(job.created_at) && job.created_at > 1.6e9, `created_at ${job.created_at}`);
  assert.ok(Number.isInteger(job.updated_at) && job.updated_at >= job.created_at);
  assert.equal(job._links, undefined, 'the full job has no _links');
  if (job.status !== 'completed') assert.equal(job.outputs, undefined, 'outputs only when completed');
  if (job.status !== 'errored') assert.equal(job.errors, undefined, 'errors only when errored');
}

function assertSummaryShape(s, base) {
  assert.deepEqual(Object.keys(s).sort(), ['_links', 'created_at', 'id', 'status', 'updated_at', 'workflow']);
  assert.ok(s._links.self.href.endsWith(`/robots/v0/jobs/${s.workflow}/${s.id}`), s._links.self.href);
  if (base) assert.equal(s._links.self.href, `${base}/robots/v0/jobs/${s.workflow}/${s.id}`);
}

describe('create and get', () => {
  test('create → 202 pending, units 0, no outputs, parameters echoed, passthrough kept', async () => {
    const params = editParams(A.assets[0], 1);
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: params, passthrough: 'pt-1' });
    assert.equal(r.status, 202, r.text);
    const job = r.json.data;
    assertJobShape(job, { status: 'pending' });
    assert.equal(job.units_consumed, 0);
    assert.deepEqual(job.parameters, params);
    assert.equal(job.passthrough, 'pt-1');
    const slim = job.resources?.assets?.[0];
    assert.equal(slim?.id, A.assets[0].id, JSON.stringify(job.resources));
    assert.equal(slim._links?.self?.href, `${PUBLIC}/video/v1/assets/${A.assets[0].id}`);

    const g = await A.c.get(`/robots/v0/jobs/edit-captions/${job.id}`);
    assert.equal(g.status, 200, g.text);
    assertJobShape(g.json.data, { status: 'pending' });
    assert.deepEqual(g.json.data.parameters, params);
    assert.equal(g.json.data.passthrough, 'pt-1');
    assert.equal(g.json.data.created_at, job.created_at);
  });

  test('Content-Type with a charset parameter is accepted', async () => {
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[0], 9) },
      { headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(r.status, 202, r.text);
  });

  test('without passthrough the key is absent', async () => {
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[0], 2) });
    assert.equal(r.status, 202, r.text);
    assert.equal('passthrough' in r.json.data, false);
  });

  test('GET with the wrong workflow in the path → 404', async () => {
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[0], 3) });
    assert.equal(r.status, 202, r.text);
    errorBody(assert, await A.c.get(`/robots/v0/jobs/summarize/${r.json.data.id}`), 404, 'not_found');
  });

  test('GET unknown id → 404', async () => {
    errorBody(assert, await A.c.get('/robots/v0/jobs/edit-captions/rjob_doesnotexist000000000000'), 404, 'not_found');
  });

  test('asset that does not exist → 422', async () => {
    const p = { ...editParams(A.assets[0], 4), asset_id: 'no_such_asset' };
    errorBody(assert, await A.c.post('/robots/v0/jobs/edit-captions', { parameters: p }), 422, 'invalid_parameters');
  });

  test('asset without a playback id → 422 (spec §1.5)', async () => {
    const asset = A.assets[2];
    for (const p of asset.playback_ids) {
      const d = await A.c.del(`/video/v1/assets/${asset.id}/playback-ids/${p.id}`);
      assert.equal(d.status, 204, d.text);
    }
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 6) });
    errorBody(assert, r, 422, 'invalid_parameters');
  });

  test('track that does not exist → 422', async () => {
    const p = { ...editParams(A.assets[0], 5), track_id: 'no_such_track' };
    errorBody(assert, await A.c.post('/robots/v0/jobs/edit-captions', { parameters: p }), 422, 'invalid_parameters');
  });
});

describe('list', () => {
  const ids = { a0: [], a1: [] };
  let cancelledId;

  before(async () => {
    // A fresh asset pair on server A: 5 jobs on asset 0, 2 on asset 1.
    for (let i = 0; i < 5; i++) {
      const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[0], 100 + i) });
      assert.equal(r.status, 202, r.text);
      ids.a0.push(r.json.data.id);
    }
    for (let i = 0; i < 2; i++) {
      const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[1], 200 + i) });
      assert.equal(r.status, 202, r.text);
      ids.a1.push(r.json.data.id);
    }
    cancelledId = ids.a1[0];
    const c = await A.c.post(`/robots/v0/jobs/${cancelledId}/cancel`);
    assert.equal(c.status, 200, c.text);
  });

  test('default list: data + total_row_count, summaries only, at most 25', async () => {
    const r = await A.c.get('/robots/v0/jobs');
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.data));
    assert.ok(Number.isInteger(r.json.total_row_count));
    assert.ok(r.json.total_row_count >= 7);
    assert.ok(r.json.data.length <= 25);
    assert.equal(r.json.data.length, Math.min(25, r.json.total_row_count));
    for (const s of r.json.data) assertSummaryShape(s, PUBLIC);
  });

  test('asset_id filter', async () => {
    const r = await A.c.get(`/robots/v0/jobs${qs({ asset_id: A.assets[1].id, limit: 100 })}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total_row_count, 2);
    assert.deepEqual(r.json.data.map((j) => j.id).sort(), [...ids.a1].sort());
  });

  test('status filter (AND asset_id)', async () => {
    let r = await A.c.get(`/robots/v0/jobs${qs({ status: 'cancelled', asset_id: A.assets[1].id })}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data.map((j) => j.id), [cancelledId]);
    assert.equal(r.json.total_row_count, 1);
    assert.equal(r.json.data[0].status, 'cancelled');
    r = await A.c.get(`/robots/v0/jobs${qs({ status: 'pending', asset_id: A.assets[1].id })}`);
    assert.deepEqual(r.json.data.map((j) => j.id), [ids.a1[1]]);
    r = await A.c.get(`/robots/v0/jobs${qs({ status: 'completed' })}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total_row_count, 0);
    assert.deepEqual(r.json.data, []);
  });

  test('workflow filter', async () => {
    let r = await A.c.get(`/robots/v0/jobs${qs({ workflow: 'edit-captions', asset_id: A.assets[0].id, limit: 100 })}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.total_row_count >= 5);
    assert.ok(r.json.data.every((j) => j.workflow === 'edit-captions'));
    for (const id of ids.a0) assert.ok(r.json.data.some((j) => j.id === id));
    r = await A.c.get(`/robots/v0/jobs${qs({ workflow: 'summarize' })}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total_row_count, 0);
    assert.deepEqual(r.json.data, []);
  });

  test('limit/page walk every row once, newest first, page past the end is empty', async () => {
    const filter = { asset_id: A.assets[0].id };
    const all = await A.c.get(`/robots/v0/jobs${qs({ ...filter, limit: 100 })}`);
    const total = all.json.total_row_count;
    assert.equal(all.json.data.length, total);
    const seen = [];
    for (let page = 1; page <= Math.ceil(total / 2); page++) {
      const r = await A.c.get(`/robots/v0/jobs${qs({ ...filter, limit: 2, page })}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.total_row_count, total);
      assert.equal(r.json.data.length, Math.min(2, total - (page - 1) * 2));
      seen.push(...r.json.data.map((j) => j.id));
    }
    assert.equal(new Set(seen).size, total, 'no row repeated across pages');
    assert.deepEqual(seen, all.json.data.map((j) => j.id), 'pages follow the same order');
    const rows = all.json.data;
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      assert.ok(a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id),
        `newest first, ties by id descending: ${a.id}@${a.created_at} before ${b.id}@${b.created_at}`);
    }
    const past = await A.c.get(`/robots/v0/jobs${qs({ ...filter, limit: 2, page: Math.ceil(total / 2) + 1 })}`);
    assert.equal(past.status, 200, past.text);
    assert.deepEqual(past.json.data, []);
    assert.equal(past.json.total_row_count, total);
    const far = await A.c.get(`/robots/v0/jobs${qs({ page: 1000 })}`);
    assert.equal(far.status, 200, far.text);
    assert.deepEqual(far.json.data, []);
  });

  test('limit 1 and limit 100 are accepted', async () => {
    const one = await A.c.get('/robots/v0/jobs?limit=1');
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.data.length, 1);
    const hundred = await A.c.get('/robots/v0/jobs?limit=100');
    assert.equal(hundred.status, 200, hundred.text);
  });

  const bad = {
    'limit=0': { limit: 0 },
    'limit=101': { limit: 101 },
    'limit=abc': { limit: 'abc' },
    'limit=-5': { limit: -5 },
    'limit=2.5': { limit: '2.5' },
    'page=0': { page: 0 },
    'page=-1': { page: -1 },
    'page=x': { page: 'x' },
    'status=done': { status: 'done' },
    'workflow=nope': { workflow: 'nope' },
    'asset_id empty': { asset_id: '' },
  };
  for (const [name, q] of Object.entries(bad)) {
    test(`invalid query ${name} → 400`, async () => {
      errorBody(assert, await A.c.get(`/robots/v0/jobs${qs(q)}`), 400, 'invalid_parameters');
    });
  }
});

describe('cancel', () => {
  test('cancel pending → 200 summary cancelled; again → 409 x-should-retry false', async () => {
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[0], 300) });
    assert.equal(r.status, 202, r.text);
    const id = r.json.data.id;
    const c = await A.c.post(`/robots/v0/jobs/${id}/cancel`);
    assert.equal(c.status, 200, c.text);
    assertSummaryShape(c.json.data, PUBLIC);
    assert.equal(c.json.data.id, id);
    assert.equal(c.json.data.status, 'cancelled');
    assert.equal(c.json.data.workflow, 'edit-captions');
    const g = await A.c.get(`/robots/v0/jobs/edit-captions/${id}`);
    assert.equal(g.json.data.status, 'cancelled');
    assert.equal(g.json.data.units_consumed, 0);
    assert.equal(g.json.data.outputs, undefined);
    const again = await A.c.post(`/robots/v0/jobs/${id}/cancel`);
    errorBody(assert, again, 409, 'conflict');
    assert.equal(again.headers.get('x-should-retry'), 'false');
  });

  test('cancel unknown id → 404', async () => {
    errorBody(assert, await A.c.post('/robots/v0/jobs/rjob_doesnotexist000000000000/cancel'), 404, 'not_found');
  });

  test('cancel a processing job: cancelled, and it never completes afterwards', async () => {
    const r = await B.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(B.assets[0], 1) });
    assert.equal(r.status, 202, r.text);
    const id = r.json.data.id;
    await waitJob(B.c, 'edit-captions', id, { statuses: new Set(['processing']), timeout: 5000 });
    const c = await B.c.post(`/robots/v0/jobs/${id}/cancel`);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.data.status, 'cancelled');
    // The worker wakes up after its 2 s delay; its result must be dropped.
    await sleep(3000);
    const g = await B.c.get(`/robots/v0/jobs/edit-captions/${id}`);
    assert.equal(g.json.data.status, 'cancelled');
    assert.equal(g.json.data.outputs, undefined);
    const again = await B.c.post(`/robots/v0/jobs/${id}/cancel`);
    errorBody(assert, again, 409, 'conflict');
    assert.equal(again.headers.get('x-should-retry'), 'false');
  });

  test('a job cancelled while processing has no side effects (no upload, original kept)', async () => {
    const asset = B.assets[2];
    const r = await B.c.post('/robots/v0/jobs/edit-captions',
      { parameters: editParams(asset, 1, { upload_to_mux: true, delete_original_track: true }) });
    assert.equal(r.status, 202, r.text);
    const id = r.json.data.id;
    await waitJob(B.c, 'edit-captions', id, { statuses: new Set(['processing']), timeout: 5000 });
    assert.equal((await B.c.post(`/robots/v0/jobs/${id}/cancel`)).status, 200);
    await sleep(3000);
    const a = await B.c.get(`/video/v1/assets/${asset.id}`);
    assert.deepEqual(a.json.data.tracks.map((t) => t.id), asset.tracks.map((t) => t.id),
      `tracks changed after a cancel: ${JSON.stringify(a.json.data.tracks)}`);
  });

  test('a completed job stays completed and is not cancellable', async () => {
    const r = await B.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(B.assets[0], 2) });
    assert.equal(r.status, 202, r.text);
    const id = r.json.data.id;
    const done = await waitJob(B.c, 'edit-captions', id, { timeout: 15000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.ok(done.outputs);
    assert.ok(done.updated_at >= done.created_at);
    const c = await B.c.post(`/robots/v0/jobs/${id}/cancel`);
    errorBody(assert, c, 409, 'conflict');
    assert.equal(c.headers.get('x-should-retry'), 'false');
    await sleep(1500);
    const g = await B.c.get(`/robots/v0/jobs/edit-captions/${id}`);
    assert.equal(g.json.data.status, 'completed');
    assert.equal(g.json.data.updated_at, done.updated_at, 'no further state transition');
    assert.deepEqual(g.json.data.outputs, done.outputs);
  });
});

describe('failure path', () => {
  test('track deleted before the worker runs → errored with errors[], once, not retried forever', async () => {
    const asset = B.assets[1];
    const r = await B.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 1) });
    assert.equal(r.status, 202, r.text);
    const del = await B.c.del(`/video/v1/assets/${asset.id}/tracks/${textTrack(asset).id}`);
    assert.equal(del.status, 204, del.text);
    const job = await waitJob(B.c, 'edit-captions', r.json.data.id, { timeout: 20000 });
    assert.equal(job.status, 'errored', JSON.stringify(job));
    assert.equal(job.outputs, undefined);
    assert.ok(Array.isArray(job.errors) && job.errors.length >= 1, JSON.stringify(job));
    for (const e of job.errors) {
      assert.equal(typeof e.type, 'string');
      assert.ok(e.type.length > 0);
      assert.equal(typeof e.message, 'string');
      assert.ok(e.message.length > 0);
      if ('retryable' in e) assert.equal(typeof e.retryable, 'boolean');
    }
    assertJobShape(job, { status: 'errored' });
    const c = await B.c.post(`/robots/v0/jobs/${job.id}/cancel`);
    assert.equal(c.status, 409, c.text);
    const l = await B.c.get(`/robots/v0/jobs${qs({ status: 'errored' })}`);
    assert.ok(l.json.data.some((j) => j.id === job.id));
  });
});

describe('duplicates and idempotency', () => {
  test('same workflow + parameters while pending → 409 x-should-retry false; after cancel → 202', async () => {
    const params = editParams(A.assets[0], 400);
    const first = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: params });
    assert.equal(first.status, 202, first.text);
    const dup = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: params, passthrough: 'other' });
    errorBody(assert, dup, 409, 'conflict');
    assert.equal(dup.headers.get('x-should-retry'), 'false');
    // Key order does not make a request different.
    const reordered = Object.fromEntries(Object.entries(params).reverse());
    const dup2 = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: reordered });
    assert.equal(dup2.status, 409, dup2.text);
    // Different parameters are not a duplicate.
    const diff = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[0], 401) });
    assert.equal(diff.status, 202, diff.text);
    await A.c.post(`/robots/v0/jobs/${first.json.data.id}/cancel`);
    const again = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: params });
    assert.equal(again.status, 202, again.text);
    assert.notEqual(again.json.data.id, first.json.data.id);
  });

  test('Idempotency-Key: same body → original job; other body → 422', async () => {
    const key = `idem-${Date.now()}`;
    const body = { parameters: editParams(A.assets[0], 500), passthrough: 'idem' };
    const headers = { 'idempotency-key': key };
    const first = await A.c.post('/robots/v0/jobs/edit-captions', body, { headers });
    assert.equal(first.status, 202, first.text);
    const replay = await A.c.post('/robots/v0/jobs/edit-captions', body, { headers });
    assert.equal(replay.status, 202, replay.text);
    assert.equal(replay.json.data.id, first.json.data.id);
    assert.deepEqual(replay.json.data.parameters, first.json.data.parameters);
    const other = await A.c.post('/robots/v0/jobs/edit-captions',
      { parameters: editParams(A.assets[0], 501) }, { headers });
    errorBody(assert, other, 422);
    const list = await A.c.get(`/robots/v0/jobs${qs({ asset_id: A.assets[0].id, limit: 100 })}`);
    assert.equal(list.json.data.filter((j) => j.id === first.json.data.id).length, 1);
  });
});

describe('concurrency', () => {
  test('10 concurrent identical creates → exactly one 202, nine 409', async () => {
    const params = editParams(A.assets[1], 600);
    const rs = await Promise.all(Array.from({ length: 10 },
      () => A.c.post('/robots/v0/jobs/edit-captions', { parameters: params })));
    const codes = rs.map((r) => r.status).sort();
    assert.deepEqual(codes, [202, ...Array(9).fill(409)], rs.map((r) => r.text).join('\n'));
    for (const r of rs.filter((x) => x.status === 409)) assert.equal(r.headers.get('x-should-retry'), 'false');
    const l = await A.c.get(`/robots/v0/jobs${qs({ asset_id: A.assets[1].id, status: 'pending', limit: 100 })}`);
    const mine = l.json.data.filter((j) => j.id === rs.find((r) => r.status === 202).json.data.id);
    assert.equal(mine.length, 1);
  });

  test('5 concurrent requests with one Idempotency-Key → one job, same id everywhere', async () => {
    const key = `idem-c-${Date.now()}`;
    const body = { parameters: editParams(A.assets[1], 601) };
    const rs = await Promise.all(Array.from({ length: 5 },
      () => A.c.post('/robots/v0/jobs/edit-captions', body, { headers: { 'idempotency-key': key } })));
    for (const r of rs) assert.equal(r.status, 202, r.text);
    assert.equal(new Set(rs.map((r) => r.json.data.id)).size, 1);
  });

  test('50 concurrent distinct creates all succeed with distinct ids', async () => {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[1], 700 + i) })));
    for (const r of rs) assert.equal(r.status, 202, r.text);
    assert.equal(new Set(rs.map((r) => r.json.data.id)).size, 50);
  });
});

describe('body edge cases', () => {
  test('passthrough of exactly 255 characters is accepted and echoed', async () => {
    const pt = 'p'.repeat(255);
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(A.assets[0], 800), passthrough: pt });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.data.passthrough, pt);
  });

  test('unicode parameters round-trip unchanged', async () => {
    const p = { ...editParams(A.assets[0], 801), replacements: [{ find: 'naïve 日本語 😀', replace: 'Ünïcödé\u00a0"quoted"' }] };
    const r = await A.c.post('/robots/v0/jobs/edit-captions', { parameters: p });
    assert.equal(r.status, 202, r.text);
    const g = await A.c.get(`/robots/v0/jobs/edit-captions/${r.json.data.id}`);
    assert.deepEqual(g.json.data.parameters, p);
  });

  test('invalid UTF-8 in the body → 400', async () => {
    const raw = Buffer.concat([Buffer.from('{"parameters":{"asset_id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const r = await A.c.raw('POST', '/robots/v0/jobs/edit-captions', { body: raw, headers: { 'content-type': 'application/json' } });
    errorBody(assert, r, 400, 'invalid_parameters');
  });

  test('deeply nested JSON → 400 and the server survives', async () => {
    const body = '{"parameters":' + '['.repeat(100000) + ']'.repeat(100000) + '}';
    const r = await A.c.raw('POST', '/robots/v0/jobs/edit-captions', { body, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, r.text);
    assert.equal((await request(A.server, 'GET', '/healthz')).status, 200);
  });

  test('duplicate keys in JSON do not crash the server', async () => {
    const body = '{"parameters":{"asset_id":"a","asset_id":"b"},"parameters":{}}';
    const r = await A.c.raw('POST', '/robots/v0/jobs/edit-captions', { body, headers: { 'content-type': 'application/json' } });
    assert.ok([400, 422].includes(r.status), r.text);
    assert.equal((await request(A.server, 'GET', '/healthz')).status, 200);
  });

  test('a path id of 300 characters → 404, not a crash', async () => {
    const r = await A.c.get(`/robots/v0/jobs/edit-captions/rjob_${'x'.repeat(300)}`);
    assert.ok([400, 404].includes(r.status), r.text);
    const c = await A.c.post(`/robots/v0/jobs/rjob_${'x'.repeat(300)}/cancel`);
    assert.ok([400, 404].includes(c.status), c.text);
  });
});

describe('workflows: implemented → 202, the rest → 501', () => {
  const asset = () => A.assets[0];
  const valid = {
    summarize: (a) => ({ asset_id: a.id }),
    moderate: (a) => ({ asset_id: a.id }),
    'generate-chapters': (a) => ({ asset_id: a.id }),
    'ask-questions': (a) => ({ asset_id: a.id, questions: [{ question: 'Is it short?' }] }),
    'find-key-moments': (a) => ({ asset_id: a.id }),
    'translate-captions': (a) => ({ asset_id: a.id, track_id: textTrack(a).id, to_language_code: 'fr' }),
    'generate-engagement-insights': (a) => ({ asset_id: a.id }),
    'find-scenes': (a) => ({ asset_id: a.id }),
    'find-best-thumbnails': (a) => ({ asset_id: a.id }),
    'generate-premium-captions': (a) => ({ asset_id: a.id }),
    'translate-audio': (a) => ({ asset_id: a.id, to_language_code: 'es' }),
  };
  test('the table covers the 11 other workflows', () => {
    assert.deepEqual(Object.keys(valid).sort(), WORKFLOWS.filter((w) => w !== 'edit-captions').sort());
  });
  for (const [wf, make] of Object.entries(valid)) {
    if (IMPLEMENTED.has(wf)) {
      test(`${wf} with valid parameters → 202 pending`, async () => {
        const r = await A.c.post(`/robots/v0/jobs/${wf}`, { parameters: make(asset()) });
        assert.equal(r.status, 202, r.text);
        assert.equal(r.json.data.workflow, wf);
        assert.equal(r.json.data.status, 'pending');
        assert.equal(r.json.data.units_consumed, 0);
      });
      continue;
    }
    test(`${wf} with valid parameters → 501 not_implemented, nothing stored`, async () => {
      const r = await A.c.post(`/robots/v0/jobs/${wf}`, { parameters: make(asset()) });
      errorBody(assert, r, 501, 'not_implemented');
      // Final: the SDK must not retry it (it retries every status >= 500).
      assert.equal(r.headers.get('x-should-retry'), 'false');
      const l = await A.c.get(`/robots/v0/jobs${qs({ workflow: wf })}`);
      assert.equal(l.status, 200, l.text);
      assert.equal(l.json.total_row_count, 0);
    });
  }
});

// Sends a body of exactly n bytes with http.request (fetch hides early
// responses); resolves {status} or {error} if the connection broke first.
// With `expect`, the body is only written after "100 Continue", so a server
// that rejects on Content-Length answers before any body byte is sent.
function postBytes(server, token, p, n, { expect = false } = {}) {
  return new Promise((resolve) => {
    const body = Buffer.alloc(n, 0x20);
    body[0] = 0x7b; // '{' so it is not trivially malformed at byte 0
    const headers = {
      authorization: 'Basic ' + Buffer.from(`${token.id}:${token.secret}`).toString('base64'),
      'content-type': 'application/json',
      'content-length': n,
    };
    if (expect) headers.expect = '100-continue';
    const req = http.request(`${server.url}${p}`, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (e) => resolve({ error: e.code || String(e) }));
    if (expect) req.on('continue', () => req.end(body));
    else req.end(body);
  });
}

describe('HTTP errors', () => {
  test('unknown paths → 404', async () => {
    for (const p of ['/robots/v0/nope', '/robots/v1/jobs', '/nothing', '/video/v1/nope']) {
      const r = await A.c.get(p);
      assert.equal(r.status, 404, `${p}: ${r.status} ${r.text}`);
    }
    errorBody(assert, await A.c.post('/robots/v0/jobs/not-a-workflow', { parameters: { asset_id: 'x' } }), 404);
  });

  test('wrong method → 405', async () => {
    const cases = [
      ['DELETE', '/robots/v0/jobs'],
      ['PUT', '/robots/v0/jobs/edit-captions'],
      ['GET', '/robots/v0/jobs/edit-captions'],
      ['DELETE', '/robots/v0/jobs/edit-captions/rjob_x'],
      ['PATCH', '/robots/v0/jobs/rjob_x/cancel'],
      ['PUT', '/video/v1/assets'],
    ];
    for (const [m, p] of cases) {
      const r = await A.c.raw(m, p);
      assert.equal(r.status, 405, `${m} ${p}: ${r.status} ${r.text}`);
    }
  });

  test('body over 1 MiB → 413', async () => {
    // With Expect: 100-continue the server can (and should) refuse on the
    // declared length before the body is sent.
    const early = await postBytes(A.server, A.token, '/robots/v0/jobs/edit-captions', 1024 * 1024 + 64, { expect: true });
    assert.equal(early.status, 413, JSON.stringify(early));
    // Without it (what fetch and the SDK do) the client is still writing
    // when the 413 is ready. The client must still get the 413, not a reset
    // connection (which the SDK would retry and then report as a connection
    // error): the server has to read (and discard) the rest of the body
    // before it closes, at least for bodies of a few MiB.
    const got = [];
    for (const size of [1024 * 1024 + 64, 2 * 1024 * 1024, 4 * 1024 * 1024]) {
      for (let i = 0; i < 4; i++) {
        const big = '{"parameters":' + ' '.repeat(size) + '{}}';
        try {
          const r = await A.c.raw('POST', '/robots/v0/jobs/edit-captions', { body: big, headers: { 'content-type': 'application/json' } });
          got.push(r.status);
        } catch (e) {
          got.push(e.cause?.code ?? e.message);
        }
      }
    }
    assert.deepEqual(got, Array(12).fill(413), `answers to oversized bodies: ${got}`);
    // The server is still healthy afterwards.
    assert.equal((await request(A.server, 'GET', '/healthz')).status, 200);
  });

  test('body of exactly 1 MiB is not 413', async () => {
    const r = await postBytes(A.server, A.token, '/robots/v0/jobs/edit-captions', 1024 * 1024);
    assert.notEqual(r.status, 413, JSON.stringify(r));
    assert.equal(r.status, 400, JSON.stringify(r));
  });

  const malformed = {
    'truncated JSON': '{"parameters": {',
    'not JSON': 'hello',
    'JSON array': '[1,2]',
    'JSON string': '"x"',
    'empty body': '',
  };
  for (const [name, body] of Object.entries(malformed)) {
    test(`malformed body (${name}) → 400`, async () => {
      const r = await A.c.raw('POST', '/robots/v0/jobs/edit-captions', { body, headers: { 'content-type': 'application/json' } });
      errorBody(assert, r, 400, 'invalid_parameters');
    });
  }
});

// Raw bytes over one socket; resolves with everything the server sent before
// it closed (or after `waitMs` of silence).
function rawExchange(server, data, waitMs = 1500) {
  return new Promise((resolve) => {
    const sock = net.connect(server.port, '127.0.0.1');
    let out = '';
    let timer;
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(out); };
    const arm = () => { clearTimeout(timer); timer = setTimeout(done, waitMs); };
    sock.on('data', (d) => { out += d.toString('latin1'); arm(); });
    sock.on('end', done);
    sock.on('error', done);
    sock.on('connect', () => { sock.write(data); arm(); });
  });
}

describe('HTTP robustness', () => {
  const auth = () => 'Basic ' + Buffer.from(`${A.token.id}:${A.token.secret}`).toString('base64');

  test('two pipelined requests on one connection get two answers in order', async () => {
    const req = (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth()}\r\n\r\n`;
    const out = await rawExchange(A.server, req('/robots/v0/jobs?limit=1') + req('/robots/v0/nope'));
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [200, 404], out.slice(0, 500));
  });

  test('a chunked request body is accepted', async () => {
    const body = JSON.stringify({ parameters: editParams(A.assets[0], 900) });
    const half = Math.floor(body.length / 2);
    const chunk = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
    const msg = 'POST /robots/v0/jobs/edit-captions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
      + `Authorization: ${auth()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`
      + chunk(body.slice(0, half)) + chunk(body.slice(half)) + '0\r\n\r\n';
    const out = await rawExchange(A.server, msg);
    assert.match(out, /^HTTP\/1\.1 202/, out.slice(0, 300));
  });

  test('a chunked body over 1 MiB → 413', async () => {
    const big = '{"parameters":' + ' '.repeat(1024 * 1024) + '{}}';
    const msg = 'POST /robots/v0/jobs/edit-captions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
      + `Authorization: ${auth()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`
      + `${Buffer.byteLength(big).toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    const out = await rawExchange(A.server, msg);
    if (out) assert.match(out, /^HTTP\/1\.1 413/, out.slice(0, 300));
    assert.equal((await request(A.server, 'GET', '/healthz')).status, 200);
  });

  test('garbage instead of HTTP does not hurt the server', async () => {
    await rawExchange(A.server, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]), 300);
    await rawExchange(A.server, 'GET / HTTP/9.9\r\n\r\n', 300);
    await rawExchange(A.server, `GET /${'a'.repeat(100000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 300);
    await rawExchange(A.server, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(200000)}\r\n\r\n`, 300);
    assert.equal((await request(A.server, 'GET', '/healthz')).status, 200);
  });

  test('an oversized Authorization header → 4xx, not a crash', async () => {
    const r = await request(A.server, 'GET', '/robots/v0/jobs', { auth: 'Basic ' + 'A'.repeat(60000) });
    assert.ok(r.status >= 400 && r.status < 500, `${r.status}`);
    assert.equal((await request(A.server, 'GET', '/healthz')).status, 200);
  });

  test('100 idle connections do not block a real request', async () => {
    const socks = await Promise.all(Array.from({ length: 100 }, () => new Promise((resolve) => {
      const s = net.connect(A.server.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => resolve(s));
    })));
    try {
      const t0 = Date.now();
      const r = await A.c.get('/robots/v0/jobs?limit=1');
      assert.equal(r.status, 200, r.text);
      assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    } finally {
      for (const s of socks) s.destroy();
    }
  });

  test('bad percent-encoding in the query → 400', async () => {
    const r = await A.c.get('/robots/v0/jobs?limit=%ZZ');
    assert.equal(r.status, 400, r.text);
  });
});

