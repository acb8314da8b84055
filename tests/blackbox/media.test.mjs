// media.test.mjs — the Mux Video subset (spec §8): asset create from a URL,
// the outbound URL policy, tracks, and the public VTT URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  SIMPLE_VTT, SIMPLE_VTT_DURATION, client, createCaptionsAsset, createToken, errorBody, request, startFixtureServer,
  startServer, tempDir, waitAsset,
} from './lib.mjs';

const FRENCH_VTT = 'WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nBonjour.\n\n00:00:03.000 --> 00:00:07.250\nAu revoir.\n';

let fixture;
let open;   // server with --allow-private-urls
let closed; // server without it
let c;      // client on `open`
let cc;     // client on `closed`
let closedAsset; // a CLI-made asset on `closed`

before(async () => {
  fixture = await startFixtureServer({
    '/captions.vtt': { body: SIMPLE_VTT },
    '/fr.vtt': { body: FRENCH_VTT },
    '/broken.vtt': { body: 'this is not a vtt file\n' },
    '/to-file': { status: 302, headers: { location: 'file:///etc/passwd' }, body: '' },
    '/to-ok': { status: 302, headers: { location: '/captions.vtt' }, body: '' },
    '/big.vtt': { body: 'WEBVTT\n\n' + '00:00.000 --> 00:01.000\nfiller text line\n\n'.repeat(4000) },
    '/hang.vtt': { hang: true },
  });
  const d1 = tempDir();
  const t1 = createToken(d1, 'media');
  // Small fetch limits so the limit tests run fast.
  open = await startServer({
    dataDir: d1, allowPrivate: true, workers: 1,
    env: { ROBOTS_FETCH_MAX_BYTES: '65536', ROBOTS_FETCH_TIMEOUT: '2' },
  });
  c = client(open, t1);
  const d2 = tempDir();
  const t2 = createToken(d2, 'media');
  closedAsset = createCaptionsAsset(d2, 'media', SIMPLE_VTT);
  closed = await startServer({ dataDir: d2, workers: 1 });
  cc = client(closed, t2);
});

after(async () => {
  await Promise.all([open?.stop(), closed?.stop(), fixture?.close()]);
});

function assetBody(url, extra = {}) {
  return {
    inputs: [{ url, type: 'text', text_type: 'subtitles', language_code: 'en', name: 'English' }],
    playback_policy: ['public'],
    ...extra,
  };
}

describe('asset from a loopback URL (--allow-private-urls)', () => {
  let asset;

  test('create → 201 preparing, then ready with duration = last cue end', async () => {
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/captions.vtt`, { passthrough: 'asset-pt' }));
    assert.equal(r.status, 201, r.text);
    assert.ok(r.json.data.id);
    assert.equal(r.json.data.status, 'preparing');
    assert.equal(typeof r.json.data.created_at, 'string', 'Mux asset created_at is a string');
    asset = await waitAsset(c, r.json.data.id);
    assert.equal(asset.status, 'ready', JSON.stringify(asset));
    assert.equal(asset.duration, SIMPLE_VTT_DURATION);
    assert.equal(asset.passthrough, 'asset-pt');
    assert.equal(asset.playback_ids.length, 1);
    assert.equal(asset.playback_ids[0].policy, 'public');
    const text = asset.tracks.filter((t) => t.type === 'text');
    assert.equal(text.length, 1);
    assert.equal(text[0].status, 'ready');
    assert.equal(text[0].language_code, 'en');
    assert.equal(text[0].name, 'English');
    assert.equal(text[0].text_type, 'subtitles');
    assert.ok(fixture.hits.includes('/captions.vtt'));
  });

  test('the public VTT URL serves the file without auth', async () => {
    const t = asset.tracks.find((x) => x.type === 'text');
    const r = await request(open, 'GET', `/stream/${asset.playback_ids[0].id}/text/${t.id}.vtt`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') || '', /text\/vtt/);
    assert.equal(r.text, SIMPLE_VTT);
    const wrongPid = await request(open, 'GET', `/stream/nope/text/${t.id}.vtt`);
    assert.equal(wrongPid.status, 404);
    const wrongTrack = await request(open, 'GET', `/stream/${asset.playback_ids[0].id}/text/nope.vtt`);
    assert.equal(wrongTrack.status, 404);
  });

  test('list shows the asset; retrieve and list agree', async () => {
    const r = await c.get('/video/v1/assets');
    assert.equal(r.status, 200, r.text);
    const found = r.json.data.find((a) => a.id === asset.id);
    assert.ok(found);
    assert.equal(found.status, 'ready');
  });

  let fr;
  test('track create → preparing → ready; the asset lists it', async () => {
    const r = await c.post(`/video/v1/assets/${asset.id}/tracks`, {
      url: `${fixture.url}/fr.vtt`, type: 'text', text_type: 'subtitles', language_code: 'fr', name: 'Français',
    });
    assert.equal(r.status, 201, r.text);
    fr = r.json.data;
    assert.ok(fr.id);
    assert.equal(fr.type, 'text');
    assert.ok(['preparing', 'ready'].includes(fr.status), fr.status);
    let t;
    const deadline = Date.now() + 10000;
    for (;;) {
      const a = await c.get(`/video/v1/assets/${asset.id}`);
      t = a.json.data.tracks.find((x) => x.id === fr.id);
      if (t && t.status !== 'preparing') break;
      assert.ok(Date.now() < deadline, 'track stayed preparing');
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(t.status, 'ready');
    assert.equal(t.language_code, 'fr');
    assert.equal(t.name, 'Français');
    const vtt = await request(open, 'GET', `/stream/${asset.playback_ids[0].id}/text/${fr.id}.vtt`);
    assert.equal(vtt.status, 200);
    assert.equal(vtt.text, FRENCH_VTT);
  });

  test('PATCH meta / passthrough / thumbnail_time (spec §8.6)', async () => {
    const r = await c.patch(`/video/v1/assets/${asset.id}`, { meta: { title: 'A title', external_id: 'ext-1' }, passthrough: 'new-pt' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.meta.title, 'A title');
    assert.equal(r.json.data.meta.external_id, 'ext-1');
    assert.equal(r.json.data.passthrough, 'new-pt');
    const t = await c.patch(`/video/v1/assets/${asset.id}`, { thumbnail_time: 3.5 });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.json.data.thumbnail_time, 3.5);
    assert.equal(t.json.data.meta.title, 'A title', 'other meta keys are preserved');
    errorBody(assert, await c.patch(`/video/v1/assets/${asset.id}`, { thumbnail_time: SIMPLE_VTT_DURATION }), 400, 'invalid_parameters');
    errorBody(assert, await c.patch(`/video/v1/assets/${asset.id}`, { thumbnail_time: -1 }), 400, 'invalid_parameters');
    errorBody(assert, await c.patch(`/video/v1/assets/${asset.id}`, { meta: { title: 'x'.repeat(513) } }), 400, 'invalid_parameters');
    errorBody(assert, await c.patch(`/video/v1/assets/${asset.id}`, { status: 'errored' }), 400, 'invalid_parameters');
    const cleared = await c.patch(`/video/v1/assets/${asset.id}`, { passthrough: '' });
    assert.equal(cleared.status, 200, cleared.text);
    assert.ok(!cleared.json.data.passthrough, 'empty string clears passthrough');
  });

  test('a signed playback id serves nothing without a token (spec §8.10)', async () => {
    const r = await c.post(`/video/v1/assets/${asset.id}/playback-ids`, { policy: 'signed' });
    assert.ok([200, 201].includes(r.status), r.text);
    const textTrackId = asset.tracks.find((x) => x.type === 'text').id;
    try {
      const unsigned = await request(open, 'GET', `/stream/${r.json.data.id}/text/${textTrackId}.vtt`);
      assert.ok([401, 403].includes(unsigned.status), `signed id without token answered ${unsigned.status}`);
      const bogus = await request(open, 'GET', `/stream/${r.json.data.id}/text/${textTrackId}.vtt?token=not.a.jwt`);
      assert.ok([401, 403].includes(bogus.status), `signed id with a bogus token answered ${bogus.status}`);
    } finally {
      await c.del(`/video/v1/assets/${asset.id}/playback-ids/${r.json.data.id}`);
    }
  });

  test('playback ids: create signed, get, delete; a deleted id no longer serves files', async () => {
    const r = await c.post(`/video/v1/assets/${asset.id}/playback-ids`, { policy: 'signed' });
    assert.ok([200, 201].includes(r.status), r.text);
    const pid = r.json.data;
    assert.equal(pid.policy, 'signed');
    const g = await c.get(`/video/v1/assets/${asset.id}/playback-ids/${pid.id}`);
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json.data, pid);
    const a = await c.get(`/video/v1/assets/${asset.id}`);
    assert.equal(a.json.data.playback_ids.length, 2);
    errorBody(assert, await c.post(`/video/v1/assets/${asset.id}/playback-ids`, { policy: 'open' }), 400, 'invalid_parameters');
    const d = await c.del(`/video/v1/assets/${asset.id}/playback-ids/${pid.id}`);
    assert.equal(d.status, 204, d.text);
    errorBody(assert, await c.get(`/video/v1/assets/${asset.id}/playback-ids/${pid.id}`), 404, 'not_found');
    const text = asset.tracks.find((x) => x.type === 'text');
    const vtt = await request(open, 'GET', `/stream/${pid.id}/text/${text.id}.vtt`);
    assert.equal(vtt.status, 404);
  });

  test('track create with a missing url / bad type → 400', async () => {
    errorBody(assert, await c.post(`/video/v1/assets/${asset.id}/tracks`,
      { type: 'text', text_type: 'subtitles', language_code: 'de' }), 400, 'invalid_parameters');
    errorBody(assert, await c.post(`/video/v1/assets/${asset.id}/tracks`,
      { url: `${fixture.url}/fr.vtt`, type: 'hologram', language_code: 'de' }), 400, 'invalid_parameters');
  });

  test('track on an unknown asset → 404', async () => {
    errorBody(assert, await c.post('/video/v1/assets/nope/tracks',
      { url: `${fixture.url}/fr.vtt`, type: 'text', text_type: 'subtitles', language_code: 'fr' }), 404, 'not_found');
  });

  test('track delete → 204; gone from the asset and the public URL', async () => {
    const r = await c.del(`/video/v1/assets/${asset.id}/tracks/${fr.id}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    const a = await c.get(`/video/v1/assets/${asset.id}`);
    assert.ok(!a.json.data.tracks.some((x) => x.id === fr.id));
    const vtt = await request(open, 'GET', `/stream/${asset.playback_ids[0].id}/text/${fr.id}.vtt`);
    assert.equal(vtt.status, 404);
    errorBody(assert, await c.del(`/video/v1/assets/${asset.id}/tracks/${fr.id}`), 404, 'not_found');
  });

  test('an input that is not WebVTT → asset errored', async () => {
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/broken.vtt`));
    assert.equal(r.status, 201, r.text);
    const a = await waitAsset(c, r.json.data.id);
    assert.equal(a.status, 'errored', JSON.stringify(a));
    assert.ok(a.errors, 'errored asset carries errors');
  });

  test('an input that 404s → asset errored', async () => {
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/missing.vtt`));
    assert.equal(r.status, 201, r.text);
    const a = await waitAsset(c, r.json.data.id);
    assert.equal(a.status, 'errored', JSON.stringify(a));
  });

  test('a redirect to another scheme is not followed (file:///etc/passwd)', async () => {
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/to-file`));
    assert.equal(r.status, 201, r.text);
    const a = await waitAsset(c, r.json.data.id);
    assert.equal(a.status, 'errored', JSON.stringify(a));
    assert.ok(!JSON.stringify(a).includes('root:'), 'no file content leaks into the asset');
  });

  test('a same-host redirect is followed', async () => {
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/to-ok`));
    assert.equal(r.status, 201, r.text);
    const a = await waitAsset(c, r.json.data.id);
    assert.equal(a.status, 'ready', JSON.stringify(a));
    assert.equal(a.duration, SIMPLE_VTT_DURATION);
  });

  test("one asset's playback id does not serve another asset's track", async () => {
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/captions.vtt`));
    assert.equal(r.status, 201, r.text);
    const other = await waitAsset(c, r.json.data.id);
    assert.equal(other.status, 'ready');
    const otherTrack = other.tracks.find((x) => x.type === 'text').id;
    const mixed = await request(open, 'GET', `/stream/${asset.playback_ids[0].id}/text/${otherTrack}.vtt`);
    assert.equal(mixed.status, 404);
    const own = await request(open, 'GET', `/stream/${other.playback_ids[0].id}/text/${otherTrack}.vtt`);
    assert.equal(own.status, 200);
  });

  test('an input over ROBOTS_FETCH_MAX_BYTES → errored', async () => {
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/big.vtt`));
    assert.equal(r.status, 201, r.text);
    const a = await waitAsset(c, r.json.data.id);
    assert.equal(a.status, 'errored', JSON.stringify(a));
  });

  test('an input that never answers → errored after ROBOTS_FETCH_TIMEOUT', async () => {
    const t0 = Date.now();
    const r = await c.post('/video/v1/assets', assetBody(`${fixture.url}/hang.vtt`));
    assert.equal(r.status, 201, r.text);
    const a = await waitAsset(c, r.json.data.id, { timeout: 15000 });
    assert.equal(a.status, 'errored', JSON.stringify(a));
    assert.ok(Date.now() - t0 < 12000, `took ${Date.now() - t0} ms`);
  });

  test('asset delete → 204, then 404', async () => {
    const r = await c.del(`/video/v1/assets/${asset.id}`);
    assert.equal(r.status, 204, r.text);
    errorBody(assert, await c.get(`/video/v1/assets/${asset.id}`), 404, 'not_found');
    const t = asset.tracks.find((x) => x.type === 'text');
    const vtt = await request(open, 'GET', `/stream/${asset.playback_ids[0].id}/text/${t.id}.vtt`);
    assert.equal(vtt.status, 404);
  });
});

describe('outbound URL policy (no --allow-private-urls)', () => {
  test('loopback URL → 400 naming the url', async () => {
    const r = await cc.post('/video/v1/assets', assetBody(`${fixture.url}/captions.vtt`));
    const e = errorBody(assert, r, 400, 'invalid_parameters');
    assert.match(e.message, /url/i);
  });

  const blocked = {
    'cloud metadata 169.254.169.254': 'http://169.254.169.254/latest/meta-data/',
    'private 10.0.0.1': 'http://10.0.0.1/captions.vtt',
    'private 192.168.1.1': 'http://192.168.1.1/captions.vtt',
    'loopback 127.1.2.3': 'http://127.1.2.3/x.vtt',
    'IPv6 loopback': 'http://[::1]/x.vtt',
    'file scheme': 'file:///etc/passwd',
    'not a URL': 'captions.vtt',
  };
  for (const [name, url] of Object.entries(blocked)) {
    test(`${name} → 400`, async () => {
      const r = await cc.post('/video/v1/assets', assetBody(url));
      const e = errorBody(assert, r, 400, 'invalid_parameters');
      assert.match(e.message, /url/i);
    });
  }

  test('track create with a private URL → 400 too', async () => {
    const r = await cc.post(`/video/v1/assets/${closedAsset.id}/tracks`,
      { url: 'http://10.0.0.1/x.vtt', type: 'text', text_type: 'subtitles', language_code: 'fr' });
    const e = errorBody(assert, r, 400, 'invalid_parameters');
    assert.match(e.message, /url/i);
  });

  test('inputs missing / empty → 400', async () => {
    errorBody(assert, await cc.post('/video/v1/assets', { playback_policy: ['public'] }), 400, 'invalid_parameters');
    errorBody(assert, await cc.post('/video/v1/assets', { inputs: [], playback_policy: ['public'] }), 400, 'invalid_parameters');
  });
});
