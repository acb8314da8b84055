// webhooks.test.mjs — webhook delivery (issue 3, spec §3.2–3.6, docs/webhooks.md)
// against the real binary: every job status change is delivered to every
// endpoint of the environment, signed (mux-signature and Standard Webhooks,
// both checked here with an independent HMAC), retried, ordered per job,
// recorded, replayable and never lost across a kill -9.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cli, client, createCaptionsAsset, createToken, editParams, SIMPLE_VTT, sleep, startServer,
  tempDir, waitFor, waitJob,
} from './lib.mjs';
import { startReceiver, verify } from './webhook_receiver.mjs';

// Fast schedule so retries happen within the test: 5 attempts, 200 ms apart.
const FAST = ['--webhook-retry-schedule', '0,0.2,0.2,0.2,0.2', '--webhook-timeout', '1',
  '--webhook-poll-ms', '20'];

function cliJson(args) {
  const r = cli(args);
  assert.equal(r.status, 0, `robots ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function addEndpoint(dataDir, env, url) {
  return cliJson(['webhook', 'create', '--env', env, '--url', url, '--allow-private-urls',
    '--data-dir', dataDir])[0];
}

let S; // {server, dataDir, token, assets, c}
const receivers = [];

before(async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'main');
  const assets = [];
  for (let i = 0; i < 4; i++) assets.push(createCaptionsAsset(dataDir, 'main', SIMPLE_VTT));
  const server = await startServer({
    dataDir, workers: 1, allowPrivate: true, args: FAST,
    env: { ROBOTS_DEBUG_WORKFLOW_DELAY_MS: '600' },
  });
  S = { server, dataDir, token, assets, c: client(server, token) };
});

after(async () => {
  await S?.server.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(behave) {
  const r = await startReceiver(behave);
  receivers.push(r);
  return r;
}

const eventsOf = (rec, jobId) => rec.got.filter((g) => g.body.object.id === jobId && g.status < 300);

describe('events', () => {
  let R1;
  let R2;
  let ep1;
  let ep2;
  before(async () => {
    R1 = await receiver();
    R2 = await receiver();
    ep1 = addEndpoint(S.dataDir, 'main', R1.url);
    ep2 = addEndpoint(S.dataDir, 'main', R2.url);
  });

  test('create prints the secret once; list never shows it', () => {
    assert.match(ep1.id, /^whe_/);
    assert.match(ep1.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const list = cliJson(['webhook', 'list', '--env', 'main', '--data-dir', S.dataDir]);
    const mine = list.find((e) => e.id === ep1.id);
    assert.equal(mine.url, R1.url);
    assert.equal(mine.enabled, true);
    assert.equal('secret' in mine, false);
    const bad = cli(['webhook', 'create', '--env', 'main', '--url', 'http://10.1.2.3/x',
      '--data-dir', S.dataDir]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /private address/);
    assert.equal(cli(['webhook', 'create', '--env', 'main', '--url', 'ftp://example.test/x',
      '--data-dir', S.dataDir]).status, 2);
  });

  test('completed job: pending, processing, completed to both endpoints, signed, data = GET', async () => {
    const r = await S.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(S.assets[0], 1) });
    assert.equal(r.status, 202, r.text);
    const id = r.json.data.id;
    const job = await waitJob(S.c, 'edit-captions', id);
    assert.equal(job.status, 'completed');
    const want = ['pending', 'processing', 'completed'].map((s) => `robots.job.edit_captions.${s}`);
    for (const [R, ep] of [[R1, ep1], [R2, ep2]]) {
      await waitFor(() => eventsOf(R, id).length >= 3, { what: 'three events' });
      const evs = eventsOf(R, id);
      assert.deepEqual(evs.map((e) => e.body.type), want);
      for (const e of evs) {
        verify(e, ep.secret);
        const b = e.body;
        assert.deepEqual(Object.keys(b).sort(), ['accessor', 'accessor_source', 'attempts',
          'created_at', 'data', 'environment', 'id', 'object', 'request_id', 'type']);
        assert.deepEqual(b.object, { id, type: 'robots_job' });
        assert.equal(b.environment.name, 'main');
        assert.equal(b.environment.id, S.token.environment.id);
        assert.match(b.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        assert.deepEqual(b.attempts, []);
        assert.equal(b.data.id, id);
        assert.equal(b.data.status, b.type.split('.').pop());
      }
      // The completed event carries the whole finished job, as GET shows it.
      const g = await S.c.get(`/robots/v0/jobs/edit-captions/${id}`);
      const raw = evs[2].raw;
      const dataText = raw.slice(raw.indexOf('"data":') + 7, raw.lastIndexOf(',"attempts":'));
      assert.equal(dataText, JSON.stringify(g.json.data), 'data is the GET body byte for byte');
      // One event id per status change, the same for both endpoints.
      assert.equal(new Set(evs.map((e) => e.body.id)).size, 3);
    }
    assert.deepEqual(eventsOf(R1, id).map((e) => e.body.id), eventsOf(R2, id).map((e) => e.body.id));
  });

  test('errored job: pending, processing, errored with errors[]', async () => {
    // The asset is deleted while the worker holds the job, so the workflow
    // cannot read its captions and the job errors.
    const asset = S.assets[1];
    const r = await S.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 2) });
    assert.equal(r.status, 202, r.text);
    const id = r.json.data.id;
    const d = await S.c.del(`/video/v1/assets/${asset.id}`);
    assert.ok(d.status === 204 || d.status === 200, d.text);
    const job = await waitJob(S.c, 'edit-captions', id);
    assert.equal(job.status, 'errored', JSON.stringify(job));
    await waitFor(() => eventsOf(R1, id).length >= 3, { what: 'three events' });
    const evs = eventsOf(R1, id);
    assert.deepEqual(evs.map((e) => e.body.type),
      ['pending', 'processing', 'errored'].map((s) => `robots.job.edit_captions.${s}`));
    assert.ok(Array.isArray(evs[2].body.data.errors) && evs[2].body.data.errors.length > 0);
    evs.forEach((e) => verify(e, ep1.secret));
  });

  test('cancelled job: pending, processing, cancelled', async () => {
    const r = await S.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(S.assets[2], 3) });
    const id = r.json.data.id;
    await waitJob(S.c, 'edit-captions', id, { statuses: new Set(['processing']) });
    const c = await S.c.post(`/robots/v0/jobs/${id}/cancel`);
    assert.equal(c.status, 200, c.text);
    await waitFor(() => eventsOf(R2, id).length >= 3, { what: 'three events' });
    await sleep(900); // the worker's late result is refused: no further event
    const evs = eventsOf(R2, id);
    assert.deepEqual(evs.map((e) => e.body.type),
      ['pending', 'processing', 'cancelled'].map((s) => `robots.job.edit_captions.${s}`));
    evs.forEach((e) => verify(e, ep2.secret));
  });

  test('webhook events lists every delivery with its attempts', () => {
    const rows = cliJson(['webhook', 'events', '--env', 'main', '--status', 'delivered',
      '--data-dir', S.dataDir]);
    const mine = rows.filter((x) => x.endpoint_id === ep1.id);
    assert.ok(mine.length >= 9, `${mine.length}`);
    for (const x of mine) {
      assert.equal(x.status, 'delivered');
      assert.equal(x.attempts.length, 1);
      assert.equal(x.attempts[0].status_code, 200);
      assert.equal(x.attempts[0].response_body, 'ok');
      assert.ok(Number.isInteger(x.attempts[0].latency_ms));
    }
  });

  test('replay EVENT_ID sends the same event (same webhook-id) again', async () => {
    const first = R1.got[0];
    const before = R1.got.length;
    const out = cliJson(['webhook', 'replay', first.body.id, '--data-dir', S.dataDir])[0];
    assert.equal(out.scheduled, 2); // both endpoints
    await waitFor(() => R1.got.length > before, { what: 'the replayed event' });
    const again = R1.got[R1.got.length - 1];
    assert.equal(again.headers['webhook-id'], first.headers['webhook-id']);
    assert.equal(again.body.type, first.body.type);
    assert.equal(again.body.attempts.length, 1, 'the earlier attempt is listed');
    verify(again, ep1.secret);
    assert.equal(cli(['webhook', 'replay', 'no-such-event', '--data-dir', S.dataDir]).status, 1);
  });

  after(() => {
    // Later tests add endpoints of their own; these two stop here.
    cli(['webhook', 'delete', ep1.id, '--data-dir', S.dataDir]);
    cli(['webhook', 'delete', ep2.id, '--data-dir', S.dataDir]);
  });
});

describe('failures', () => {
  test('a receiver failing 3 times then succeeding gets each event once it recovers; attempts recorded', async () => {
    let failures = 0;
    const R = await receiver(() => (failures++ < 3 ? { status: 503, body: 'down for a bit' } : { status: 200 }));
    const ep = addEndpoint(S.dataDir, 'main', R.url);
    const r = await S.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(S.assets[3], 4) });
    const id = r.json.data.id;
    await waitJob(S.c, 'edit-captions', id);
    await waitFor(() => eventsOf(R, id).length >= 3, { what: 'three delivered events', timeout: 15000 });
    const ok = eventsOf(R, id);
    assert.deepEqual(ok.map((e) => e.body.data.status), ['pending', 'processing', 'completed']);
    // The first event failed 3 times: its 4th try lists them.
    assert.equal(ok[0].body.attempts.length, 3);
    assert.equal(ok[0].body.attempts[0].response_status_code, 503);
    assert.equal(ok[0].body.attempts[0].response_body, 'down for a bit');
    assert.equal(ok[0].body.attempts[0].address, R.url);
    ok.forEach((e) => verify(e, ep.secret));
    // webhook-id is stable across retries.
    const ids = R.got.filter((g) => g.body.type.endsWith('.pending')).map((g) => g.headers['webhook-id']);
    assert.equal(new Set(ids).size, 1);
    assert.equal(ids.length, 4);
    const rows = cliJson(['webhook', 'events', '--env', 'main', '--data-dir', S.dataDir])
      .filter((x) => x.endpoint_id === ep.id && x.subject_id === id);
    const pend = rows.find((x) => x.type.endsWith('.pending'));
    assert.deepEqual(pend.attempts.map((a) => a.status_code), [503, 503, 503, 200]);
    cli(['webhook', 'delete', ep.id, '--data-dir', S.dataDir]);
  });

  test('410 Gone disables the endpoint; rotate-secret re-enables it', async () => {
    const R = await receiver(() => ({ status: 410 }));
    const ep = addEndpoint(S.dataDir, 'main', R.url);
    const r = await S.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(S.assets[3], 5) });
    await waitJob(S.c, 'edit-captions', r.json.data.id);
    await sleep(800);
    assert.equal(R.got.length, 1, 'one attempt, then nothing more');
    const list = cliJson(['webhook', 'list', '--env', 'main', '--data-dir', S.dataDir]);
    const me = list.find((e) => e.id === ep.id);
    assert.equal(me.enabled, false);
    assert.match(me.disabled_reason, /410/);
    const rows = cliJson(['webhook', 'events', '--env', 'main', '--status', 'failed', '--data-dir', S.dataDir])
      .filter((x) => x.endpoint_id === ep.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].attempts[0].status_code, 410);
    const rot = cliJson(['webhook', 'rotate-secret', ep.id, '--data-dir', S.dataDir])[0];
    assert.notEqual(rot.secret, ep.secret);
    assert.equal(cliJson(['webhook', 'list', '--env', 'main', '--data-dir', S.dataDir])
      .find((e) => e.id === ep.id).enabled, true);
    cli(['webhook', 'delete', ep.id, '--data-dir', S.dataDir]);
  });

  test('a slow receiver does not hold up a fast one', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 700 }));
    const fast = await receiver();
    const eps = addEndpoint(S.dataDir, 'main', slow.url);
    const epf = addEndpoint(S.dataDir, 'main', fast.url);
    const r = await S.c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(S.assets[3], 6) });
    const id = r.json.data.id;
    await waitFor(() => eventsOf(fast, id).length >= 3, { what: 'fast receiver' });
    // The slow one needs 700 ms per event and still has events to go.
    assert.ok(eventsOf(slow, id).length < 3, `slow got ${eventsOf(slow, id).length}`);
    await waitFor(() => eventsOf(slow, id).length >= 3, { what: 'slow receiver', timeout: 10000 });
    assert.deepEqual(eventsOf(slow, id).map((e) => e.body.data.status), ['pending', 'processing', 'completed']);
    cli(['webhook', 'delete', eps.id, '--data-dir', S.dataDir]);
    cli(['webhook', 'delete', epf.id, '--data-dir', S.dataDir]);
  });
});

test('receiver down while the server is killed and restarted: every event still arrives', async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'crash');
  const asset = createCaptionsAsset(dataDir, 'crash', SIMPLE_VTT);
  // Reserve a port, then close it: the receiver is "down" (connection refused).
  const probe = await startReceiver();
  const port = probe.port;
  await probe.close();
  const ep = addEndpoint(dataDir, 'crash', `http://127.0.0.1:${port}/hooks`);
  let server = await startServer({ dataDir, workers: 1, allowPrivate: true,
    args: ['--webhook-retry-schedule', '0,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3', '--webhook-poll-ms', '20'] });
  const c = client(server, token);
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const r = await c.post('/robots/v0/jobs/edit-captions', { parameters: editParams(asset, 10 + i) });
    ids.push(r.json.data.id);
  }
  for (const id of ids) await waitJob(c, 'edit-captions', id);
  await sleep(400); // a failed attempt or two is recorded
  await server.kill9();
  const R = await startReceiver(() => ({ status: 200 }), port);
  receivers.push(R);
  server = await startServer({ dataDir, workers: 1, allowPrivate: true,
    args: ['--webhook-retry-schedule', '0,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3', '--webhook-poll-ms', '20'] });
  try {
    for (const id of ids) {
      await waitFor(() => eventsOf(R, id).length >= 3, { what: `events of ${id}`, timeout: 15000 });
      const evs = eventsOf(R, id);
      assert.deepEqual(evs.map((e) => e.body.data.status).slice(0, 3), ['pending', 'processing', 'completed']);
      evs.forEach((e) => verify(e, ep.secret));
    }
  } finally {
    await server.stop();
  }
});
