// webhooks.test.mjs — a receiver written the way Mux documents it, with the
// official client's `mux.webhooks.unwrap(rawBody, headers, secret)`
// (@mux/mux-node 15.3.0), unchanged, verifying every delivery of a local
// robots server (docs/webhooks.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import Mux from '@mux/mux-node';

import {
  cli, createCaptionsAsset, createToken, editParams, SIMPLE_VTT, startServer, tempDir, waitFor,
} from '../blackbox/lib.mjs';
import { startReceiver, verify } from '../blackbox/webhook_receiver.mjs';

let server;
let receiver;
let mux;
let asset;
let endpoint;

before(async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'sdk');
  asset = createCaptionsAsset(dataDir, 'sdk', SIMPLE_VTT);
  receiver = await startReceiver();
  const r = cli(['webhook', 'create', '--env', 'sdk', '--url', receiver.url, '--allow-private-urls',
    '--data-dir', dataDir]);
  assert.equal(r.status, 0, r.stderr);
  endpoint = JSON.parse(r.stdout);
  server = await startServer({ dataDir, workers: 1, allowPrivate: true });
  mux = new Mux({ tokenId: token.id, tokenSecret: token.secret, baseURL: server.url });
});

after(async () => {
  await server?.stop();
  await receiver?.close();
});

test('mux.webhooks.unwrap accepts every delivery; the completed event is the retrieved job', async () => {
  const job = await mux.robots.jobs.editCaptions.create({ parameters: editParams(asset, 1) });
  await waitFor(() => receiver.got.filter((g) => g.body.object.id === job.id).length >= 3,
    { what: 'three events' });
  const evs = receiver.got.filter((g) => g.body.object.id === job.id);
  const types = [];
  for (const e of evs) {
    const event = await mux.webhooks.unwrap(e.raw, e.headers, endpoint.secret);
    assert.deepEqual(event, e.body);
    types.push(event.type);
    verify(e, endpoint.secret); // and the independent HMAC check agrees
  }
  assert.deepEqual(types, ['pending', 'processing', 'completed']
    .map((s) => `robots.job.edit_captions.${s}`));
  const done = await mux.webhooks.unwrap(evs[2].raw, evs[2].headers, endpoint.secret);
  const got = await mux.robots.jobs.editCaptions.retrieve(job.id);
  assert.deepEqual(done.data, got);
});

test('unwrap rejects a tampered body and a wrong secret', async () => {
  const e = receiver.got[0];
  await assert.rejects(mux.webhooks.unwrap(e.raw.replace('"pending"', '"completed"'), e.headers,
    endpoint.secret), /No signatures found matching/);
  await assert.rejects(mux.webhooks.unwrap(e.raw, e.headers, 'whsec_not-the-secret'),
    /No signatures found matching/);
});
