// conformance.test.mjs — the official client (@mux/mux-node 15.3.0) against a
// local robots server: only the base URL changes (spec §1.14).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Mux, {
  APIError, BadRequestError, ConflictError, NotFoundError, AuthenticationError,
  UnprocessableEntityError,
} from '@mux/mux-node';

import {
  SIMPLE_VTT, SIMPLE_VTT_DURATION, createCaptionsAsset, createToken, sleep, startFixtureServer,
  startServer, tempDir, textTrack,
} from '../blackbox/lib.mjs';

let server;   // one worker, each job held 1.5 s in processing
let fixture;
let token;
let asset;
const extraAssets = [];
let mux;
let calls;    // every HTTP request the SDK made: "METHOD path status"

before(async () => {
  fixture = await startFixtureServer({ '/en.vtt': { body: SIMPLE_VTT } });
  const dataDir = tempDir();
  token = createToken(dataDir, 'sdk');
  asset = createCaptionsAsset(dataDir, 'sdk', SIMPLE_VTT);
  // More assets than one default page (25) of GET /video/v1/assets.
  for (let i = 0; i < 27; i++) extraAssets.push(createCaptionsAsset(dataDir, 'sdk', SIMPLE_VTT).id);
  server = await startServer({
    dataDir, workers: 1, allowPrivate: true, env: { ROBOTS_DEBUG_WORKFLOW_DELAY_MS: '1500' },
  });
  calls = [];
  const counting = async (url, init) => {
    const r = await fetch(url, init);
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname} ${r.status}`);
    return r;
  };
  mux = new Mux({ tokenId: token.id, tokenSecret: token.secret, baseURL: server.url, fetch: counting });
});

after(async () => {
  await Promise.all([server?.stop(), fixture?.close()]);
});

const params = (n, extra = {}) => ({
  asset_id: asset.id,
  track_id: textTrack(asset).id,
  replacements: [{ find: 'gonna', replace: `going to ${n}` }],
  upload_to_mux: false,
  ...extra,
});

async function waitTerminal(id) {
  for (let i = 0; i < 200; i++) {
    const j = await mux.robots.jobs.editCaptions.retrieve(id);
    if (['completed', 'errored', 'cancelled'].includes(j.status)) return j;
    await sleep(100);
  }
  throw new Error(`job ${id} never finished`);
}

describe('robots jobs', () => {
  test('editCaptions.create → pending, retrieve → completed with outputs', async () => {
    const job = await mux.robots.jobs.editCaptions.create({ parameters: params(1), passthrough: 'sdk' });
    assert.match(job.id, /^rjob_/);
    assert.equal(job.workflow, 'edit-captions');
    assert.equal(job.status, 'pending');
    assert.equal(job.units_consumed, 0);
    assert.equal(job.passthrough, 'sdk');
    const done = await waitTerminal(job.id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.outputs.total_replacement_count, 1);
    assert.equal(typeof done.outputs.temporary_vtt_url, 'string');
    const vtt = await (await fetch(done.outputs.temporary_vtt_url)).text();
    assert.equal(vtt, SIMPLE_VTT.replace('gonna', 'going to 1'));
  });

  test('jobs.list auto-paginates with limit 2 over more than one page', async () => {
    const ids = [];
    for (let i = 10; i < 15; i++) {
      ids.push((await mux.robots.jobs.editCaptions.create({ parameters: params(i) })).id);
    }
    const seen = [];
    const before = calls.length;
    for await (const s of mux.robots.jobs.list({ limit: 2, asset_id: asset.id })) {
      assert.ok(s._links.self.href.endsWith(`/robots/v0/jobs/${s.workflow}/${s.id}`));
      seen.push(s.id);
    }
    const listCalls = calls.slice(before).filter((c) => c.startsWith('GET /robots/v0/jobs '));
    assert.ok(listCalls.length >= 4, `expected ≥ 4 page requests, got ${listCalls}`);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates across pages');
    for (const id of ids) assert.ok(seen.includes(id), `${id} listed`);
    assert.equal(seen.length, 6, 'the 5 new jobs + the first one');
    // Filters pass through the SDK's query encoding.
    const page = await mux.robots.jobs.list({ workflow: 'edit-captions', status: 'completed', limit: 100 });
    assert.ok(page.data.every((s) => s.status === 'completed' && s.workflow === 'edit-captions'));
  });

  test('jobs.cancel → cancelled summary; cancelling again is a ConflictError without retries', async () => {
    const job = await mux.robots.jobs.editCaptions.create({ parameters: params(20) });
    const c = await mux.robots.jobs.cancel(job.id);
    assert.equal(c.id, job.id);
    assert.equal(c.status, 'cancelled');
    const n = calls.length;
    await assert.rejects(mux.robots.jobs.cancel(job.id), (e) => {
      assert.ok(e instanceof ConflictError, `got ${e?.constructor?.name}: ${e}`);
      assert.equal(e.status, 409);
      assert.equal(e.headers.get('x-should-retry'), 'false');
      assert.equal(e.error?.error?.type ?? e.error?.type, 'conflict');
      return true;
    });
    assert.equal(calls.length - n, 1, `the SDK must not retry: ${calls.slice(n)}`);
  });

  test('duplicate create is a ConflictError, not retried', async () => {
    await mux.robots.jobs.editCaptions.create({ parameters: params(30) });
    const n = calls.length;
    await assert.rejects(mux.robots.jobs.editCaptions.create({ parameters: params(30) }),
      (e) => e instanceof ConflictError && e.status === 409);
    assert.equal(calls.length - n, 1, `the SDK must not retry: ${calls.slice(n)}`);
  });

  test('invalid parameters → BadRequestError with the error body', async () => {
    await assert.rejects(
      mux.robots.jobs.editCaptions.create({ parameters: { asset_id: asset.id, track_id: textTrack(asset).id } }),
      (e) => {
        assert.ok(e instanceof BadRequestError, `got ${e?.constructor?.name}: ${e}`);
        assert.equal(e.status, 400);
        const body = e.error?.error ?? e.error;
        assert.equal(body.type, 'invalid_parameters');
        assert.ok(Array.isArray(body.messages));
        return true;
      });
  });

  test('retrieve through another workflow\'s resource → NotFoundError', async () => {
    const job = await mux.robots.jobs.editCaptions.create({ parameters: params(50) });
    await assert.rejects(mux.robots.jobs.summarize.retrieve(job.id),
      (e) => e instanceof NotFoundError && e.status === 404);
  });

  test('unknown job → NotFoundError (retrieve and cancel)', async () => {
    await assert.rejects(mux.robots.jobs.editCaptions.retrieve('rjob_nope00000000000000000000'),
      (e) => e instanceof NotFoundError && e.status === 404);
    await assert.rejects(mux.robots.jobs.cancel('rjob_nope00000000000000000000'),
      (e) => e instanceof NotFoundError && e.status === 404);
  });

  test('missing asset → UnprocessableEntityError', async () => {
    await assert.rejects(mux.robots.jobs.editCaptions.create({ parameters: { ...params(40), asset_id: 'nope' } }),
      (e) => e instanceof UnprocessableEntityError && e.status === 422);
  });

  test('bad credentials → AuthenticationError', async () => {
    const bad = new Mux({ tokenId: token.id, tokenSecret: 'wrong', baseURL: server.url, maxRetries: 0 });
    await assert.rejects(bad.robots.jobs.list(), (e) => e instanceof AuthenticationError && e.status === 401);
  });

  test('every workflow without an engine raises APIError 501', async (ctx) => {
    const a = asset.id;
    const t = textTrack(asset).id;
    const w = mux.robots.jobs;
    // summarize, generate-chapters, ask-questions and find-key-moments run:
    // tests/sdk/text_workflows.test.mjs drives them through the SDK.
    const cases = {
      moderate: () => w.moderate.create({ parameters: { asset_id: a } }),
      translateCaptions: () => w.translateCaptions.create({ parameters: { asset_id: a, track_id: t, to_language_code: 'fr' } }),
      generateEngagementInsights: () => w.generateEngagementInsights.create({ parameters: { asset_id: a } }),
      findScenes: () => w.findScenes.create({ parameters: { asset_id: a } }),
      findBestThumbnails: () => w.findBestThumbnails.create({ parameters: { asset_id: a } }),
      generatePremiumCaptions: () => w.generatePremiumCaptions.create({ parameters: { asset_id: a } }),
      translateAudio: () => w.translateAudio.create({ parameters: { asset_id: a, to_language_code: 'es' } }),
    };
    assert.equal(Object.keys(cases).length, 7);
    // Run concurrently: the SDK retries 5xx unless told not to.
    const n = calls.length;
    const results = await Promise.allSettled(Object.values(cases).map((f) => f()));
    Object.keys(cases).forEach((name, i) => {
      const r = results[i];
      assert.equal(r.status, 'rejected', `${name} should fail`);
      assert.ok(r.reason instanceof APIError, `${name}: ${r.reason}`);
      assert.equal(r.reason.status, 501, `${name}: ${r.reason}`);
      const body = r.reason.error?.error ?? r.reason.error;
      assert.equal(body?.type, 'not_implemented', `${name}: ${JSON.stringify(r.reason.error)}`);
    });
    // Not asserted (the spec only asks for x-should-retry on final 409s), but
    // worth seeing: without `x-should-retry: false` each 501 costs 3 attempts.
    ctx.diagnostic(`requests for 7 creates answered 501: ${calls.length - n}`);
  });
});

describe('video assets and tracks', () => {
  let created;

  test('assets.create from a URL, retrieve until ready', async () => {
    created = await mux.video.assets.create({
      inputs: [{ url: `${fixture.url}/en.vtt`, type: 'text', text_type: 'subtitles', language_code: 'en', name: 'English' }],
      playback_policy: ['public'],
    });
    assert.ok(created.id);
    let a = created;
    for (let i = 0; i < 100 && a.status === 'preparing'; i++) {
      await sleep(100);
      a = await mux.video.assets.retrieve(created.id);
    }
    assert.equal(a.status, 'ready');
    assert.equal(a.duration, SIMPLE_VTT_DURATION);
    assert.equal(a.playback_ids[0].policy, 'public');
  });

  test('assets.list auto-paginates over every asset (more than one default page)', async () => {
    const ids = [];
    for await (const a of mux.video.assets.list()) ids.push(a.id);
    assert.ok(ids.includes(created.id));
    assert.ok(ids.includes(asset.id));
    for (const id of extraAssets) assert.ok(ids.includes(id), `asset ${id} missing from the SDK's iteration (${ids.length} seen)`);
    assert.equal(new Set(ids).size, ids.length, 'no asset twice');
    const small = [];
    for await (const a of mux.video.assets.list({ limit: 5 })) small.push(a.id);
    assert.equal(small.length, ids.length, 'limit 5 pages through the same assets');
  });

  test('createTrack / deleteTrack', async () => {
    const t = await mux.video.assets.createTrack(created.id, {
      url: `${fixture.url}/en.vtt`, type: 'text', text_type: 'subtitles', language_code: 'de', name: 'Deutsch',
    });
    assert.ok(t.id);
    assert.equal(t.type, 'text');
    let a = await mux.video.assets.retrieve(created.id);
    assert.ok(a.tracks.some((x) => x.id === t.id));
    await mux.video.assets.deleteTrack(created.id, t.id);
    a = await mux.video.assets.retrieve(created.id);
    assert.ok(!a.tracks.some((x) => x.id === t.id));
  });

  test('assets.delete, then retrieve → NotFoundError', async () => {
    await mux.video.assets.delete(created.id);
    await assert.rejects(mux.video.assets.retrieve(created.id), (e) => e instanceof NotFoundError);
  });
});
