// directives.test.mjs — the directives API end to end (spec §7): create with
// validation (400 naming the path, 501 for a workflow this build cannot run),
// get/list/delete with environment isolation, runs that dispatch real
// edit-captions jobs (a `required` caption, and a caption the engine ingests
// from a URL through mux_api create_track), 409 for a second active run,
// 422 for an unknown asset, delete semantics, and automatic runs of assets
// created with "directives".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  SIMPLE_VTT, client, createCaptionsAsset, createToken, errorBody, setup, startFixtureServer,
  textTrack, waitFor,
} from './lib.mjs';

let S;
let other;   // a client of a second environment
let fixture; // serves the German captions for create_track
let assetA;
let assetB;

const GERMAN_VTT = SIMPLE_VTT.replace('We are gonna test this.', 'Wir gonna testen das.');

const cleanDirective = (name = 'Clean captions') => ({
  name,
  subject: { type: 'video.asset' },
  resources: [{
    type: 'video.asset.track', reference_id: 'captions', kind: 'caption', language: 'en',
    source: { via: 'required' },
  }],
  workflows: [{
    reference_id: 'clean', workflow: 'edit-captions', inputs: ['captions'],
    params: { replacements: [{ find: 'gonna', replace: 'going to' }], upload_to_mux: false },
  }],
});

before(async () => {
  fixture = await startFixtureServer({
    '/de.vtt': { body: GERMAN_VTT }, '/en.vtt': { body: SIMPLE_VTT },
  });
  S = await setup({ nAssets: 0, workers: 1, allowPrivate: true });
  assetA = createCaptionsAsset(S.dataDir, 'main', SIMPLE_VTT);
  assetB = createCaptionsAsset(S.dataDir, 'main', SIMPLE_VTT);
  other = client(S.server, createToken(S.dataDir, 'other'));
});

after(async () => {
  await Promise.all([S?.server.stop(), fixture?.close()]);
});

async function waitRun(directiveId, runId, timeout = 20000) {
  let run;
  await waitFor(async () => {
    const r = await S.c.get(`/robots/v0/directives/${directiveId}/runs/${runId}`);
    assert.equal(r.status, 200, r.text);
    run = r.json.data;
    return ['completed', 'partial', 'errored'].includes(run.status);
  }, { timeout, what: `run ${runId} to finish` });
  return run;
}

describe('create and validation', () => {
  test('201 with the directive; 400 names the path; 501 for an unbuilt workflow', async () => {
    const r = await S.c.post('/robots/v0/directives', cleanDirective());
    assert.equal(r.status, 201, r.text);
    const d = r.json.data;
    assert.match(d.id, /^drv_[0-9A-Za-z]{24}$/);
    assert.equal(d.name, 'Clean captions');
    assert.deepEqual(d.subject, { type: 'video.asset' });
    assert.deepEqual(d.workflows, cleanDirective().workflows);
    assert.ok(Number.isInteger(d.created_at) && d.created_at === d.updated_at);

    const bad = cleanDirective();
    bad.workflows.push({ reference_id: 'sum', workflow: 'summarize', params: { tone: 'grumpy' } });
    let e = errorBody(assert, await S.c.post('/robots/v0/directives', bad), 400,
      'invalid_parameters');
    assert.equal(e.message, 'workflows[1].params.tone must be one of: neutral, playful, professional');

    const live = { ...cleanDirective(), subject: { type: 'video.live_stream' } };
    e = errorBody(assert, await S.c.post('/robots/v0/directives', live), 400, 'invalid_parameters');
    assert.match(e.message, /^subject\.type video\.live_stream is reserved/);

    const mod = {
      name: 'm', subject: { type: 'video.asset' },
      workflows: [{ reference_id: 'm', workflow: 'moderate' }],
    };
    const r501 = await S.c.post('/robots/v0/directives', mod);
    errorBody(assert, r501, 501, 'not_implemented');
    assert.equal(r501.headers.get('x-should-retry'), 'false');

    errorBody(assert, await S.c.post('/robots/v0/directives', '{"name":'), 400,
      'invalid_parameters');
  });

  test('get, list newest first, other environments see nothing', async () => {
    const a = (await S.c.post('/robots/v0/directives', cleanDirective('first'))).json.data;
    const b = (await S.c.post('/robots/v0/directives', cleanDirective('second'))).json.data;
    const g = await S.c.get(`/robots/v0/directives/${a.id}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json.data, a);
    const l = await S.c.get('/robots/v0/directives?limit=100');
    assert.equal(l.status, 200);
    const ids = l.json.data.map((x) => x.id);
    assert.ok(ids.includes(a.id) && ids.includes(b.id), ids.join());
    // Newest first: created_at descending, ties by id descending.
    for (let i = 1; i < l.json.data.length; i++) {
      const p = l.json.data[i - 1];
      const q = l.json.data[i];
      assert.ok(p.created_at > q.created_at || (p.created_at === q.created_at && p.id > q.id),
        ids.join());
    }
    assert.equal(l.json.total_row_count, l.json.data.length);
    errorBody(assert, await other.get(`/robots/v0/directives/${a.id}`), 404, 'not_found');
    errorBody(assert, await other.del(`/robots/v0/directives/${a.id}`), 404, 'not_found');
    const ol = await other.get('/robots/v0/directives');
    assert.deepEqual(ol.json.data, []);
    errorBody(assert, await S.c.get('/robots/v0/directives?page=0'), 400, 'invalid_parameters');
  });
});

describe('runs', () => {
  let directive;
  let run;

  before(async () => {
    directive = (await S.c.post('/robots/v0/directives', cleanDirective('runs'))).json.data;
  });

  test('trigger → 202 pending; second trigger → 409; unknown asset → 422', async () => {
    const r = await S.c.post(`/robots/v0/directives/${directive.id}/runs`, { asset_id: assetA.id });
    assert.equal(r.status, 202, r.text);
    assert.match(r.json.data.run_id, /^drvrun_[0-9A-Za-z]{24}$/);
    assert.equal(r.json.data.status, 'pending');
    assert.equal(r.json.data.subject_id, assetA.id);
    run = r.json.data;
    const again = await S.c.post(`/robots/v0/directives/${directive.id}/runs`,
      { asset_id: assetA.id });
    if (again.status === 409) {
      errorBody(assert, again, 409, 'conflict');
      assert.equal(again.headers.get('x-should-retry'), 'false');
    } else {
      // The first run may already have finished on a fast machine.
      assert.equal(again.status, 202, again.text);
    }
    errorBody(assert, await S.c.post(`/robots/v0/directives/${directive.id}/runs`,
      { asset_id: 'nope' }), 422, 'invalid_parameters');
    errorBody(assert, await other.post(`/robots/v0/directives/${directive.id}/runs`,
      { asset_id: assetA.id }), 404, 'not_found');
  });

  test('the run dispatches an edit-captions job and completes', async () => {
    const done = await waitRun(directive.id, run.run_id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.subject_id, assetA.id);
    assert.ok(Number.isInteger(done.started_at));
    assert.ok(done.completed_at >= done.started_at);
    assert.equal(done.node_states.length, 1);
    const ns = done.node_states[0];
    assert.equal(ns.reference_id, 'clean');
    assert.equal(ns.status, 'dispatched');
    assert.equal(ns.workflow_name, 'edit-captions');
    const j = await S.c.get(`/robots/v0/jobs/edit-captions/${ns.job_id}`);
    assert.equal(j.status, 200, j.text);
    assert.equal(j.json.data.status, 'completed');
    assert.deepEqual(j.json.data.parameters, {
      ...cleanDirective().workflows[0].params, asset_id: assetA.id, track_id: textTrack(assetA).id,
    });
    const vtt = await fetch(j.json.data.outputs.temporary_vtt_url);
    assert.match(await vtt.text(), /We are going to test this\./);

    const list = await S.c.get(`/robots/v0/directives/${directive.id}/runs`);
    assert.equal(list.status, 200);
    assert.ok(list.json.data.some((x) => x.run_id === run.run_id));
  });

  test('the dispatched job carries directive {id, run_id}', async () => {
    const done = await waitRun(directive.id, run.run_id);
    const j = await S.c.get(`/robots/v0/jobs/edit-captions/${done.node_states[0].job_id}`);
    assert.deepEqual(j.json.data.directive, { id: directive.id, run_id: run.run_id });
  });

  test('mux_api create_track ingests the caption from a URL, then the binding runs', async () => {
    const d = {
      name: 'from url', subject: { type: 'video.asset' },
      resources: [{
        type: 'video.asset.track', reference_id: 'de', kind: 'caption', language: 'de',
        source: {
          via: 'mux_api', action: 'create_track',
          params: { language_code: 'de', type: 'text', url: `${fixture.url}/de.vtt` },
        },
      }],
      workflows: [{
        reference_id: 'fix', workflow: 'edit-captions', inputs: ['de'],
        params: { replacements: [{ find: 'gonna', replace: 'werden' }], upload_to_mux: false },
      }],
    };
    const c = await S.c.post('/robots/v0/directives', d);
    assert.equal(c.status, 201, c.text);
    const t = await S.c.post(`/robots/v0/directives/${c.json.data.id}/runs`, { asset_id: assetB.id });
    assert.equal(t.status, 202, t.text);
    const done = await waitRun(c.json.data.id, t.json.data.run_id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.ok(fixture.hits.includes('/de.vtt'));
    const a = (await S.c.get(`/video/v1/assets/${assetB.id}`)).json.data;
    const de = a.tracks.find((x) => x.type === 'text' && x.language_code === 'de');
    assert.ok(de && de.status === 'ready', JSON.stringify(a.tracks));
    const j = await S.c.get(`/robots/v0/jobs/edit-captions/${done.node_states[0].job_id}`);
    assert.equal(j.json.data.parameters.track_id, de.id);
    const vtt = await fetch(j.json.data.outputs.temporary_vtt_url);
    assert.match(await vtt.text(), /Wir werden testen das\./);
  });

  test('a missing required caption fails the binding and errors the run', async () => {
    const d = cleanDirective('french');
    d.resources[0].language = 'fr';
    d.resources[0].reference_id = 'fr';
    d.workflows[0].inputs = ['fr'];
    const c = (await S.c.post('/robots/v0/directives', d)).json.data;
    const t = await S.c.post(`/robots/v0/directives/${c.id}/runs`, { asset_id: assetA.id });
    assert.equal(t.status, 202, t.text);
    const done = await waitRun(c.id, t.json.data.run_id);
    assert.equal(done.status, 'errored');
    assert.equal(done.node_states[0].status, 'failed');
    assert.match(done.node_states[0].reason, /caption resource 'fr' \(language fr\) is required/);
  });

  test('delete: 204, then 404 everywhere and no new runs', async () => {
    const d = (await S.c.post('/robots/v0/directives', cleanDirective('doomed'))).json.data;
    const r = await S.c.del(`/robots/v0/directives/${d.id}`);
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    errorBody(assert, await S.c.get(`/robots/v0/directives/${d.id}`), 404, 'not_found');
    errorBody(assert, await S.c.del(`/robots/v0/directives/${d.id}`), 404, 'not_found');
    errorBody(assert, await S.c.get(`/robots/v0/directives/${d.id}/runs`), 404, 'not_found');
    errorBody(assert, await S.c.post(`/robots/v0/directives/${d.id}/runs`,
      { asset_id: assetA.id }), 404, 'not_found');
    const l = await S.c.get('/robots/v0/directives?limit=100');
    assert.ok(!l.json.data.some((x) => x.id === d.id));
  });
});

describe('automatic runs (asset create with directives)', () => {
  test('the directive runs once when the asset is ready', async () => {
    const d = (await S.c.post('/robots/v0/directives', cleanDirective('auto'))).json.data;
    const body = {
      inputs: [{ url: `${fixture.url}/en.vtt`, type: 'text', text_type: 'subtitles',
        language_code: 'en', name: 'English' }],
      playback_policy: ['public'],
      directives: [{ id: d.id }, { id: d.id }],
    };
    errorBody(assert, await S.c.post('/video/v1/assets',
      { ...body, directives: [{ id: 'drv_nope' }] }), 400, 'invalid_parameters');
    const r = await S.c.post('/video/v1/assets', body);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.data.directives, [{ id: d.id }]);
    const assetId = r.json.data.id;
    const g = await S.c.get(`/video/v1/assets/${assetId}`);
    assert.deepEqual(g.json.data.directives, [{ id: d.id }]);
    let run;
    await waitFor(async () => {
      const l = await S.c.get(`/robots/v0/directives/${d.id}/runs`);
      run = l.json.data.find((x) => x.subject_id === assetId);
      return run && ['completed', 'partial', 'errored'].includes(run.status);
    }, { what: 'the automatic run to finish' });
    assert.equal(run.status, 'completed', JSON.stringify(run));
    assert.equal(run.node_states[0].status, 'dispatched');
    // Once per directive and asset: no second run appears.
    await new Promise((res) => setTimeout(res, 1500));
    const l = await S.c.get(`/robots/v0/directives/${d.id}/runs`);
    assert.equal(l.json.data.filter((x) => x.subject_id === assetId).length, 1);
  });
});
