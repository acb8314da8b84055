// directives.test.mjs — the official client's directives resource
// (@mux/mux-node 15.3.0: robots.directives.* and robots.directives.runs.*)
// against a local robots server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import Mux, { BadRequestError, ConflictError, NotFoundError } from '@mux/mux-node';

import {
  SIMPLE_VTT, createCaptionsAsset, createToken, sleep, startServer, tempDir,
} from '../blackbox/lib.mjs';

let server;
let mux;
let asset;

before(async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'sdk');
  asset = createCaptionsAsset(dataDir, 'sdk', SIMPLE_VTT);
  server = await startServer({ dataDir, workers: 1 });
  mux = new Mux({ tokenId: token.id, tokenSecret: token.secret, baseURL: server.url });
});

after(async () => { await server?.stop(); });

const body = (name) => ({
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

test('create, retrieve, list, runs, delete through the SDK', async () => {
  const d = await mux.robots.directives.create(body('sdk directive'));
  assert.match(d.id, /^drv_/);
  assert.equal(d.name, 'sdk directive');
  const got = await mux.robots.directives.retrieve(d.id);
  assert.deepEqual(got, d);
  const ids = [];
  for await (const x of mux.robots.directives.list({ limit: 1 })) ids.push(x.id);
  assert.ok(ids.includes(d.id), ids.join());

  await assert.rejects(mux.robots.directives.create({ ...body('x'), subject: {} }),
    (e) => e instanceof BadRequestError && /subject\.type is required/.test(e.message));

  const run = await mux.robots.directives.runs.create(d.id, { asset_id: asset.id });
  assert.equal(run.status, 'pending');
  assert.equal(run.subject_id, asset.id);
  // A second trigger while the first is active is refused with 409 (the SDK
  // does not retry it); only a machine fast enough to finish the first run
  // in between may accept it.
  let second = null;
  try {
    second = await mux.robots.directives.runs.create(d.id, { asset_id: asset.id });
  } catch (e) {
    assert.ok(e instanceof ConflictError, String(e));
  }
  let detail;
  for (let i = 0; i < 200; i++) {
    detail = await mux.robots.directives.runs.retrieve(d.id, run.run_id);
    if (['completed', 'partial', 'errored'].includes(detail.status)) break;
    await sleep(100);
  }
  if (second) assert.equal(second.status, 'pending');
  assert.equal(detail.status, 'completed', JSON.stringify(detail));
  assert.equal(detail.node_states[0].status, 'dispatched');
  const job = await mux.robots.jobs.editCaptions.retrieve(detail.node_states[0].job_id);
  assert.equal(job.status, 'completed');
  const runs = [];
  for await (const r of mux.robots.directives.runs.list(d.id)) runs.push(r.run_id);
  assert.ok(runs.includes(run.run_id));

  await mux.robots.directives.delete(d.id);
  await assert.rejects(mux.robots.directives.retrieve(d.id), (e) => e instanceof NotFoundError);
});
