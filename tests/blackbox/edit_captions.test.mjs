// edit_captions.test.mjs — the edit-captions workflow end to end (spec §5.7):
// exact output VTTs for replacements, speaker labels and every censor mode,
// the upload / delete-original defaults, and the signed temporary URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createCaptionsAsset, request, setup, textTrack, waitJob } from './lib.mjs';

const lines = (...l) => l.join('\n') + '\n';

const TALK_VTT = lines(
  'WEBVTT',
  '',
  'NOTE This note must survive untouched: gonna captions [speaker_0]',
  '',
  '1',
  '00:00:00.000 --> 00:00:02.500',
  '[speaker_0] Hi everyone, we are gonna start.',
  '',
  '2',
  '00:00:02.500 --> 00:00:05.000 align:start position:10%',
  '[speaker_1] This demo is GONNA be great.',
  '',
  'intro-3',
  '00:00:05.000 --> 00:00:08.000',
  '[speaker_0] Mux Robots edit Captions.',
  'Second line with captions and CAPTIONS.',
  '',
  '00:00:08.000 --> 00:00:10.250',
  '[speaker_2] Hello from the New York office, [speaker_0] said.',
);

const TALK_PARAMS = {
  replacements: [
    { find: 'gonna', replace: 'going to' },
    { find: 'captions', replace: 'subtitles', case_sensitive: true },
    { find: 'new york', replace: 'NYC' },
  ],
  speaker_replacements: [
    { find: 'speaker_0', replace: 'Alice' },
    { find: 'speaker_1', replace: 'Bob' },
  ],
};

const TALK_EXPECTED = lines(
  'WEBVTT',
  '',
  'NOTE This note must survive untouched: gonna captions [speaker_0]',
  '',
  '1',
  '00:00:00.000 --> 00:00:02.500',
  '[Alice] Hi everyone, we are going to start.',
  '',
  '2',
  '00:00:02.500 --> 00:00:05.000 align:start position:10%',
  '[Bob] This demo is going to be great.',
  '',
  'intro-3',
  '00:00:05.000 --> 00:00:08.000',
  '[Alice] Mux Robots edit Captions.',
  'Second line with subtitles and CAPTIONS.',
  '',
  '00:00:08.000 --> 00:00:10.250',
  '[speaker_2] Hello from the NYC office, [speaker_0] said.',
);
// gonna ×2 + captions ×1 + new york ×1 + speaker_0 ×2 + speaker_1 ×1
const TALK_COUNT = 7;

const CENSOR_VTT = lines(
  'WEBVTT',
  '',
  '1',
  '00:00:01.000 --> 00:00:03.000',
  'Hello, this damn thing is broken.',
  '',
  '2',
  '00:00:03.000 --> 00:00:06.000',
  'Oh heck what the shit happened?',
);
const censorExpected = (a, b) => lines(
  'WEBVTT',
  '',
  '1',
  '00:00:01.000 --> 00:00:03.000',
  a,
  '',
  '2',
  '00:00:03.000 --> 00:00:06.000',
  b,
);

let S;
let talk;      // default upload + delete original
let talkKeep;  // delete_original_track false + custom suffix
let talkLocal; // upload_to_mux false
let censor;    // shared by the censor jobs (none of them uploads)

before(async () => {
  S = await setup({ nAssets: 0, workers: 2 });
  talk = createCaptionsAsset(S.dataDir, 'main', TALK_VTT);
  talkKeep = createCaptionsAsset(S.dataDir, 'main', TALK_VTT);
  talkLocal = createCaptionsAsset(S.dataDir, 'main', TALK_VTT);
  censor = createCaptionsAsset(S.dataDir, 'main', CENSOR_VTT);
});

after(async () => { await S?.server.stop(); });

async function run(asset, params) {
  const body = { parameters: { asset_id: asset.id, track_id: textTrack(asset).id, ...params } };
  const r = await S.c.post('/robots/v0/jobs/edit-captions', body);
  assert.equal(r.status, 202, r.text);
  const job = await waitJob(S.c, 'edit-captions', r.json.data.id, { timeout: 20000 });
  assert.equal(job.status, 'completed', JSON.stringify(job));
  assert.ok(Number.isInteger(job.outputs.total_replacement_count), JSON.stringify(job.outputs));
  return job;
}

async function fetchText(url) {
  const r = await fetch(url);
  return { status: r.status, text: await r.text() };
}

async function getAsset(id) {
  const r = await S.c.get(`/video/v1/assets/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

describe('replacements and speaker labels, default upload', () => {
  let job;
  before(async () => { job = await run(talk, TALK_PARAMS); });

  test('total_replacement_count sums every edit kind', () => {
    assert.equal(job.outputs.total_replacement_count, TALK_COUNT);
    assert.equal(job.resources?.assets?.[0]?.id, talk.id);
    assert.deepEqual(job.parameters, { asset_id: talk.id, track_id: textTrack(talk).id, ...TALK_PARAMS });
  });

  test('temporary_vtt_url serves the exact edited VTT without auth', async () => {
    assert.match(job.outputs.temporary_vtt_url, /^http:\/\/127\.0\.0\.1:\d+\//);
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.status, 200);
    assert.equal(r.text, TALK_EXPECTED);
  });

  test('uploaded as "<name> (edited)", original deleted', async () => {
    const src = textTrack(talk);
    assert.ok(job.outputs.uploaded_track_id);
    assert.notEqual(job.outputs.uploaded_track_id, src.id);
    const a = await getAsset(talk.id);
    assert.ok(!a.tracks.some((t) => t.id === src.id), 'original track deleted by default');
    const t = a.tracks.find((x) => x.id === job.outputs.uploaded_track_id);
    assert.ok(t, 'uploaded track on the asset');
    assert.equal(t.type, 'text');
    assert.equal(t.status, 'ready');
    assert.equal(t.name, `${src.name} (edited)`);
    assert.equal(t.language_code, src.language_code);
    assert.equal(t.text_type, src.text_type);
    const pub = await fetchText(`${S.server.url}/stream/${a.playback_ids[0].id}/text/${t.id}.vtt`);
    assert.equal(pub.status, 200);
    assert.equal(pub.text, TALK_EXPECTED);
  });

  test('tampered signed URLs → 403', async () => {
    const u = new URL(job.outputs.temporary_vtt_url);
    const sig = u.searchParams.get('sig');
    assert.ok(sig, `no sig in ${u}`);
    const flip = (s) => s.slice(0, -1) + (s.at(-1) === 'a' ? 'b' : 'a');
    const bad = new URL(u); bad.searchParams.set('sig', flip(sig));
    assert.equal((await fetchText(bad.href)).status, 403);
    const noSig = new URL(u); noSig.searchParams.delete('sig');
    assert.equal((await fetchText(noSig.href)).status, 403);
    const exp = u.searchParams.get('expires');
    assert.ok(exp, `no expires in ${u}`);
    const later = new URL(u); later.searchParams.set('expires', String(Number(exp) + 86400));
    assert.equal((await fetchText(later.href)).status, 403);
    const expiry = Number(exp);
    assert.ok(expiry > job.updated_at + 6 * 86400 && expiry <= job.updated_at + 7 * 86400 + 60,
      `expires ${expiry} should be 7 days after completion ${job.updated_at}`);
  });
});

describe('upload and delete options', () => {
  test('delete_original_track false + track_name_suffix: both tracks kept', async () => {
    const job = await run(talkKeep, { ...TALK_PARAMS, delete_original_track: false, track_name_suffix: 'clean' });
    const src = textTrack(talkKeep);
    const a = await getAsset(talkKeep.id);
    const orig = a.tracks.find((t) => t.id === src.id);
    assert.ok(orig, 'original kept');
    assert.equal(orig.status, 'ready');
    const t = a.tracks.find((x) => x.id === job.outputs.uploaded_track_id);
    assert.ok(t);
    assert.equal(t.name, `${src.name} (clean)`);
    const pubOrig = await fetchText(`${S.server.url}/stream/${a.playback_ids[0].id}/text/${src.id}.vtt`);
    assert.equal(pubOrig.text, TALK_VTT, 'the original file is untouched');
  });

  test('upload_to_mux false: no uploaded_track_id, original kept, file still produced', async () => {
    const before = await getAsset(talkLocal.id);
    const job = await run(talkLocal, { ...TALK_PARAMS, upload_to_mux: false });
    assert.equal(job.outputs.uploaded_track_id, undefined);
    assert.equal(job.outputs.total_replacement_count, TALK_COUNT);
    const a = await getAsset(talkLocal.id);
    assert.deepEqual(a.tracks.map((t) => t.id), before.tracks.map((t) => t.id));
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.status, 200);
    assert.equal(r.text, TALK_EXPECTED);
  });

  test('nothing to change: count 0, file identical to the source', async () => {
    const job = await run(talkLocal, { replacements: [{ find: 'zebra', replace: 'horse' }], upload_to_mux: false });
    assert.equal(job.outputs.total_replacement_count, 0);
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.text, TALK_VTT);
  });

  test('replace with "" deletes the text', async () => {
    const job = await run(talkLocal, { replacements: [{ find: ' everyone', replace: '' }], upload_to_mux: false });
    assert.equal(job.outputs.total_replacement_count, 1);
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.text, TALK_VTT.replace('Hi everyone,', 'Hi,'));
  });
});

describe('profanity censoring', () => {
  const modes = {
    blank: censorExpected('Hello, this [____] thing is broken.', 'Oh [____] what the [____] happened?'),
    mask: censorExpected('Hello, this ???? thing is broken.', 'Oh ???? what the ???? happened?'),
    remove: censorExpected('Hello, this thing is broken.', 'Oh what the happened?'),
  };
  const jobs = {};

  before(async () => {
    // The three modes run concurrently on the shared (never modified) asset.
    await Promise.all(Object.keys(modes).map(async (mode) => {
      jobs[mode] = await run(censor, {
        auto_censor_profanity: { mode, always_censor: ['damn', 'heck'] },
        upload_to_mux: false,
      });
    }));
  });

  for (const [mode, expected] of Object.entries(modes)) {
    test(`mode ${mode}`, async () => {
      const job = jobs[mode];
      assert.equal(job.outputs.total_replacement_count, 3, JSON.stringify(job.outputs));
      assert.equal(job.outputs.uploaded_track_id, undefined);
      const r = await fetchText(job.outputs.temporary_vtt_url);
      assert.equal(r.status, 200);
      assert.equal(r.text, expected);
      assert.ok(!r.text.includes('  '), 'no double spaces');
    });
  }

  test('default mode is blank and default detection is on', async () => {
    const job = await run(censor, { auto_censor_profanity: { always_censor: ['damn', 'heck'], never_censor: [] }, upload_to_mux: false });
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.text, modes.blank);
  });

  test('never_censor keeps a word, always_censor adds one', async () => {
    const job = await run(censor, {
      auto_censor_profanity: { mode: 'mask', always_censor: ['damn', 'heck', 'broken'], never_censor: ['shit'] },
      upload_to_mux: false,
    });
    assert.equal(job.outputs.total_replacement_count, 3);
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.text, censorExpected('Hello, this ???? thing is ??????.', 'Oh ???? what the shit happened?'));
  });

  test('the shared source track was never modified', async () => {
    const a = await getAsset(censor.id);
    const src = textTrack(censor);
    assert.ok(a.tracks.some((t) => t.id === src.id));
    const pub = await fetchText(`${S.server.url}/stream/${a.playback_ids[0].id}/text/${src.id}.vtt`);
    assert.equal(pub.text, CENSOR_VTT);
  });
});

describe('real-world files', () => {
  const CRLF_VTT = 'WEBVTT\r\n\r\n1\r\n00:00:00.000 --> 00:00:01.000\r\nWe are gonna go.\r\n\r\n2\r\n00:00:01.000 --> 00:00:02.000\r\nNot gonna lie.\r\n';
  const TAGS_VTT = lines(
    'WEBVTT',
    '',
    'STYLE',
    '::cue { color: yellow }',
    '',
    '00:00.000 --> 00:01.500',
    '<v Speaker>We are <i>gonna</i> go</v>',
    '',
    '00:01.500 --> 00:03.000',
    'La ÉCOLE est finie &amp; gonna close.',
  );
  const BOM_VTT = '\ufeffWEBVTT - with a title\n\n00:00.000 --> 00:01.000 line:0 position:20%\nWe are gonna go.\n\n\n';
  let crlf;
  let tags;
  let bom;
  before(() => {
    crlf = createCaptionsAsset(S.dataDir, 'main', CRLF_VTT);
    tags = createCaptionsAsset(S.dataDir, 'main', TAGS_VTT);
    bom = createCaptionsAsset(S.dataDir, 'main', BOM_VTT);
  });

  test('BOM, header text, short timestamps with settings and trailing blank lines are kept', async () => {
    const job = await run(bom, { replacements: [{ find: 'gonna', replace: 'going to' }], upload_to_mux: false });
    const r = await fetch(job.outputs.temporary_vtt_url);
    const bytes = Buffer.from(await r.arrayBuffer());
    assert.deepEqual(bytes, Buffer.from(BOM_VTT.replace('gonna', 'going to'), 'utf8'));
  });

  test('CRLF line endings are kept', async () => {
    const job = await run(crlf, { replacements: [{ find: 'gonna', replace: 'going to' }], upload_to_mux: false });
    assert.equal(job.outputs.total_replacement_count, 2);
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.text, CRLF_VTT.replaceAll('gonna', 'going to'));
  });

  test('inline tags, STYLE blocks, entities and non-ASCII case folding', async () => {
    const job = await run(tags, {
      replacements: [{ find: 'gonna', replace: 'going to' }, { find: 'école', replace: 'escuela' }],
      upload_to_mux: false,
    });
    assert.equal(job.outputs.total_replacement_count, 3);
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.equal(r.text, TAGS_VTT
      .replace('<i>gonna</i>', '<i>going to</i>')
      .replace('ÉCOLE', 'escuela')
      .replace('&amp; gonna', '&amp; going to'));
  });

  test('markup in replace is written escaped, so the file stays valid', async () => {
    const job = await run(tags, { replacements: [{ find: 'go</v>', replace: 'x' }, { find: 'finie', replace: '<b>done</b> & more' }], upload_to_mux: false });
    const r = await fetchText(job.outputs.temporary_vtt_url);
    assert.ok(r.text.includes('<v Speaker>We are <i>gonna</i> go</v>'), `tags are never matched into: ${r.text}`);
    assert.ok(r.text.includes('La ÉCOLE est &lt;b&gt;done&lt;/b&gt; &amp; more &amp; gonna close.'), r.text);
    assert.equal(job.outputs.total_replacement_count, 1);
  });
});

describe('track preconditions', () => {
  test('a deleted track → 422 at create time', async () => {
    // `talk` lost its original track to the default delete above.
    const r = await S.c.post('/robots/v0/jobs/edit-captions', {
      parameters: { asset_id: talk.id, track_id: textTrack(talk).id, replacements: [{ find: 'a', replace: 'b' }] },
    });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.type, 'invalid_parameters');
  });

  test('the public URL of a deleted track → 404', async () => {
    const r = await request(S.server, 'GET',
      `/stream/${talk.playback_ids[0].id}/text/${textTrack(talk).id}.vtt`);
    assert.equal(r.status, 404);
  });
});
