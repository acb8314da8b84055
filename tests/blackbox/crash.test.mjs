// crash.test.mjs — kill -9 while jobs are processing, restart on the same
// data directory, and check every accepted job ends completed exactly once
// (spec §3.1; store.h lease/outbox contract). The outbox is read straight
// from the store: the SQLite file with the sqlite3 CLI, or the PostgreSQL
// database with psql (lib.mjs storeQuery).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import {
  TERMINAL, client, createCaptionsAsset, createToken, editParams, sleep, startServer, tempDir, waitFor,
  sanitizerReport, storeQuery, waitJob,
} from './lib.mjs';

const N = 20;
let first;
let second;

after(async () => {
  await first?.kill9();
  await second?.stop();
});

const sql = storeQuery;

test('kill -9 mid-processing: every job completes exactly once after restart', async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'crash');
  const asset = createCaptionsAsset(dataDir, 'crash', 'WEBVTT\n\n00:00.000 --> 00:02.000\nWe are gonna crash.\n');

  first = await startServer({
    dataDir, workers: 2, leaseSeconds: 5, env: { ROBOTS_DEBUG_WORKFLOW_DELAY_MS: '1500' },
  });
  let c = client(first, token);
  const ids = [];
  await Promise.all(Array.from({ length: N }, async (_, i) => {
    const r = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, i) });
    assert.equal(r.status, 202, r.text);
    ids.push(r.json.data.id);
  }));
  assert.equal(new Set(ids).size, N);

  // Wait until the workers hold jobs, then pull the plug.
  await waitFor(async () => {
    const r = await c.get('/robots/v0/jobs?status=processing');
    return r.json.total_row_count > 0;
  }, { timeout: 5000, what: 'a processing job' });
  await sleep(1000);
  const before = await c.get('/robots/v0/jobs?limit=100');
  const processingAtKill = before.json.data.filter((j) => j.status === 'processing').length;
  assert.equal(sanitizerReport(first.log), '', 'no sanitizer report before the kill');
  const exit = await first.kill9();
  assert.equal(exit.signal, 'SIGKILL');
  first = null;

  // Restart without the delay; leases of the dead worker's jobs expire in 5 s.
  second = await startServer({ dataDir, workers: 2, leaseSeconds: 5 });
  c = client(second, token);
  const jobs = {};
  await waitFor(async () => {
    const r = await c.get('/robots/v0/jobs?limit=100');
    assert.equal(r.status, 200, r.text);
    for (const j of r.json.data) jobs[j.id] = j;
    return ids.every((id) => jobs[id] && TERMINAL.has(jobs[id].status));
  }, { timeout: 30000, interval: 250, what: 'all jobs terminal after restart' });

  // Every job accepted before the crash survived it and completed.
  for (const id of ids) {
    const r = await c.get(`/robots/v0/jobs/edit-captions/${id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.status, 'completed', `${id}: ${JSON.stringify(r.json.data)}`);
    assert.ok(r.json.data.outputs, `${id} has outputs`);
  }

  // The outbox: exactly one pending, one processing and one terminal event per job.
  const rows = sql(dataDir, 'select job_id, type from events order by seq');
  for (const id of ids) {
    const types = rows.filter((r) => r.job_id === id).map((r) => r.type);
    const count = (suffix) => types.filter((t) => t.endsWith(suffix)).length;
    assert.equal(count('.pending'), 1, `${id}: ${types}`);
    assert.equal(count('.processing'), 1, `${id}: ${types}`);
    assert.equal(count('.completed'), 1, `${id}: ${types}`);
    assert.equal(count('.errored') + count('.cancelled'), 0, `${id}: ${types}`);
    assert.equal(types.length, 3, `${id}: ${types}`);
    assert.deepEqual(types, [
      'robots.job.edit_captions.pending',
      'robots.job.edit_captions.processing',
      'robots.job.edit_captions.completed',
    ]);
  }
  // The kill really hit jobs mid-flight (otherwise this test proves nothing).
  assert.ok(processingAtKill > 0, 'some jobs were processing at the kill');
  const reclaimed = sql(dataDir, 'select id, attempts from jobs where attempts > 1');
  assert.ok(reclaimed.length >= 1, `a job was re-run after the crash: ${JSON.stringify(reclaimed)}`);
  await second.stop();
  second = null;
});

test('SIGTERM while processing: clean exit, the job resumes after restart, events exactly once', async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'term');
  const asset = createCaptionsAsset(dataDir, 'term', 'WEBVTT\n\n00:00.000 --> 00:02.000\nWe are gonna stop.\n');
  first = await startServer({ dataDir, workers: 1, env: { ROBOTS_DEBUG_WORKFLOW_DELAY_MS: '3000' } });
  let c = client(first, token);
  const run = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 1) });
  assert.equal(run.status, 202, run.text);
  const pend = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 2) });
  assert.equal(pend.status, 202, pend.text);
  const canc = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 3) });
  assert.equal(canc.status, 202, canc.text);
  assert.equal((await c.post(`/robots/v0/jobs/${canc.json.data.id}/cancel`)).status, 200);
  await waitFor(async () => {
    const r = await c.get(`/robots/v0/jobs/edit-captions/${run.json.data.id}`);
    return r.json.data.status === 'processing';
  }, { timeout: 5000, what: 'the first job to be processing' });

  const t0 = Date.now();
  const exit = await first.stop(8000);
  first = null;
  assert.equal(exit.code, 0, `clean exit on SIGTERM: ${JSON.stringify(exit)}`);
  assert.ok(Date.now() - t0 < 6000, 'shutdown does not wait for the whole job');

  // The default lease is long (60 s): a released job must not wait for it.
  second = await startServer({ dataDir, workers: 1 });
  c = client(second, token);
  for (const id of [run.json.data.id, pend.json.data.id]) {
    const j = await waitJob(c, 'edit-captions', id, { timeout: 15000 });
    assert.equal(j.status, 'completed', JSON.stringify(j));
  }
  const cj = await c.get(`/robots/v0/jobs/edit-captions/${canc.json.data.id}`);
  assert.equal(cj.json.data.status, 'cancelled');

  const rows = sql(dataDir, 'select job_id, type from events order by seq');
  const typesOf = (id) => rows.filter((r) => r.job_id === id).map((r) => r.type.split('.').pop());
  assert.deepEqual(typesOf(run.json.data.id), ['pending', 'processing', 'completed']);
  assert.deepEqual(typesOf(pend.json.data.id), ['pending', 'processing', 'completed']);
  assert.deepEqual(typesOf(canc.json.data.id), ['pending', 'cancelled']);
  await second.stop();
  second = null;
});

test('a job longer than its lease is not run twice (heartbeats keep the lease)', async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'lease');
  const asset = createCaptionsAsset(dataDir, 'lease', 'WEBVTT\n\n00:00.000 --> 00:02.000\nWe are gonna be slow.\n');
  // Two idle workers could steal the job if its 5 s lease (the minimum) were
  // not renewed during the 11 s it takes.
  first = await startServer({ dataDir, workers: 3, leaseSeconds: 5, env: { ROBOTS_DEBUG_WORKFLOW_DELAY_MS: '11000' } });
  const c = client(first, token);
  const r = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 1) });
  assert.equal(r.status, 202, r.text);
  const job = await waitJob(c, 'edit-captions', r.json.data.id, { timeout: 20000 });
  assert.equal(job.status, 'completed', JSON.stringify(job));
  const rows = sql(dataDir, `select type from events where job_id = '${job.id}' order by seq`);
  assert.deepEqual(rows.map((x) => x.type.split('.').pop()), ['pending', 'processing', 'completed']);
  const [{ attempts }] = sql(dataDir, `select attempts from jobs where id = '${job.id}'`);
  assert.equal(attempts, 1, 'claimed exactly once');
  await first.stop();
  first = null;
});

test('kill -9 during a burst of creates: every 202 survives the restart', async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'burst');
  const asset = createCaptionsAsset(dataDir, 'burst', 'WEBVTT\n\n00:00.000 --> 00:02.000\nWe are gonna burst.\n');
  first = await startServer({ dataDir, workers: 0 });
  const c = client(first, token);
  const accepted = [];
  let n = 0;
  let stop = false;
  const loop = async () => {
    while (!stop) {
      const i = n++;
      try {
        const r = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, i) });
        if (r.status === 202) accepted.push(r.json.data.id);
        else assert.fail(`create ${i}: ${r.status} ${r.text}`);
      } catch (e) {
        if (!stop) throw e;
        return; // the server died under us: this request was never answered
      }
    }
  };
  const loops = Array.from({ length: 16 }, loop);
  await sleep(1500);
  // Requests still in flight when the process dies fail; that is expected
  // (they were never acknowledged), so the loops stop first.
  stop = true;
  await first.kill9();
  await Promise.all(loops);
  first = null;
  assert.ok(accepted.length > 20, `only ${accepted.length} creates before the kill`);

  second = await startServer({ dataDir, workers: 0 });
  const c2 = client(second, token);
  const missing = [];
  for (const id of accepted) {
    const g = await c2.get(`/robots/v0/jobs/edit-captions/${id}`);
    if (g.status !== 200) missing.push(id);
    else assert.equal(g.json.data.status, 'pending');
  }
  assert.deepEqual(missing, [], `${missing.length} of ${accepted.length} acknowledged jobs were lost`);
  const events = sql(dataDir, "select count(*) as n from events where type like '%.pending'");
  const jobs = sql(dataDir, 'select count(*) as n from jobs');
  assert.equal(events[0].n, jobs[0].n, 'one pending event per stored job (same transaction)');
  await second.stop();
  second = null;
});

test('cancel racing completion: the cancel answer, the final state and the outbox agree', async (t) => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'race');
  const asset = createCaptionsAsset(dataDir, 'race', 'WEBVTT\n\n00:00.000 --> 00:02.000\nWe are gonna race.\n');
  first = await startServer({ dataDir, workers: 2 });
  const c = client(first, token);
  const results = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
    const r = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, i) });
    assert.equal(r.status, 202, r.text);
    await sleep(i % 8); // spread the cancels over pending, processing and done
    const x = await c.post(`/robots/v0/jobs/${r.json.data.id}/cancel`);
    assert.ok([200, 409].includes(x.status), x.text);
    return { id: r.json.data.id, cancel: x.status };
  }));
  await sleep(1500); // let any worker that still held a cancelled job finish
  t.diagnostic(`cancel won ${results.filter((r) => r.cancel === 200).length} of ${results.length}`);
  const rows = sql(dataDir, 'select job_id, type from events order by seq');
  for (const { id, cancel } of results) {
    const g = await c.get(`/robots/v0/jobs/edit-captions/${id}`);
    const status = g.json.data.status;
    assert.equal(status, cancel === 200 ? 'cancelled' : 'completed', `${id}: cancel ${cancel}, now ${status}`);
    const terminal = rows.filter((r) => r.job_id === id).map((r) => r.type.split('.').pop())
      .filter((t) => ['completed', 'errored', 'cancelled'].includes(t));
    assert.deepEqual(terminal, [status], `${id}: terminal events ${terminal}`);
    if (status === 'cancelled') assert.equal(g.json.data.outputs, undefined);
  }
  await first.stop();
  first = null;
});
