// generate_chapters.test.mjs — the generate-chapters workflow end to end on
// the builtin engine (spec §5.3): chapter invariants, starts near the true
// topic changes of a fixture transcript, granularity changing the count,
// update_asset_chapters creating and then replacing the asset's chapters
// track (visible through the Video API), and the parameter rules.
//
// Fixture: tests/fixtures/chapters/three_topics.en.vtt — beehives from
// 0.5 s, a bicycle repair from 116.78 s, sourdough bread from 224.36 s,
// the last cue ends at 332.9 s.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { FIXTURES, createCaptionsAsset, errorBody, setup, waitJob } from './lib.mjs';

const VTT = fs.readFileSync(path.join(FIXTURES, 'chapters', 'three_topics.en.vtt'), 'utf8');
const TRUE_CHANGES = [116.78, 224.36];

let S;
let asset;       // chapters only read
let updAsset;    // update_asset_chapters runs

before(async () => {
  S = await setup({ nAssets: 0, workers: 2 });
  asset = createCaptionsAsset(S.dataDir, 'main', VTT);
  updAsset = createCaptionsAsset(S.dataDir, 'main', VTT);
});

after(async () => { await S?.server.stop(); });

async function run(a, params = {}) {
  const r = await S.c.post('/robots/v0/jobs/generate-chapters',
    { parameters: { asset_id: a.id, ...params } });
  assert.equal(r.status, 202, r.text);
  const job = await waitJob(S.c, 'generate-chapters', r.json.data.id, { timeout: 20000 });
  assert.equal(job.status, 'completed', JSON.stringify(job));
  return job;
}

async function getAsset(id) {
  const r = await S.c.get(`/video/v1/assets/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

// Every invariant of the spec, plus ours (30 s minimum spacing, distinct titles).
function checkChapters(chapters, duration) {
  assert.ok(Array.isArray(chapters) && chapters.length >= 1, JSON.stringify(chapters));
  assert.equal(chapters[0].start_time, 0);
  const seen = new Set();
  chapters.forEach((c, i) => {
    assert.deepEqual(Object.keys(c).sort(), ['start_time', 'title']);
    assert.equal(typeof c.start_time, 'number');
    assert.ok(c.start_time >= 0 && c.start_time < duration, `start ${c.start_time}`);
    if (i > 0) assert.ok(c.start_time - chapters[i - 1].start_time >= 30, JSON.stringify(chapters));
    assert.equal(typeof c.title, 'string');
    assert.ok(c.title.trim().length > 0 && c.title === c.title.trim());
    assert.ok(!seen.has(c.title.toLowerCase()), `duplicate title ${c.title}`);
    seen.add(c.title.toLowerCase());
  });
}

describe('builtin chapters of a three-topic talk', () => {
  let job;
  before(async () => { job = await run(asset); });

  test('outputs hold exactly chapters, obeying the invariants', async () => {
    assert.deepEqual(Object.keys(job.outputs), ['chapters']);
    const a = await getAsset(asset.id);
    const duration = a.duration > 0 ? a.duration : 333;
    checkChapters(job.outputs.chapters, duration);
    assert.equal(job.units_consumed ?? 1, 1);
  });

  test('chapters start within 20 s of each true topic change, and only there', () => {
    const starts = job.outputs.chapters.map((c) => c.start_time);
    for (const t of TRUE_CHANGES) {
      assert.ok(starts.some((s) => Math.abs(s - t) <= 20), `no chapter near ${t}: ${starts}`);
    }
    assert.equal(starts.length, 3, JSON.stringify(job.outputs.chapters));
  });

  test('titles come from each topic\'s own words', () => {
    const [bees, bike, bread] = job.outputs.chapters.map((c) => c.title.toLowerCase());
    assert.match(bees, /bee|hive|honey|queen|frame/);
    assert.match(bike, /tyre|tube|brake|bike|chain|wheel|puncture/);
    assert.match(bread, /sourdough|dough|loaf|bread|starter|flour/);
  });

  test('fine gives more chapters than coarse', async () => {
    const fine = await run(asset, { output_steering: { chapter_granularity: 'fine' } });
    const coarse = await run(asset, { output_steering: { chapter_granularity: 'coarse' } });
    checkChapters(fine.outputs.chapters, 333);
    checkChapters(coarse.outputs.chapters, 333);
    assert.ok(fine.outputs.chapters.length > coarse.outputs.chapters.length,
      `fine ${fine.outputs.chapters.length} vs coarse ${coarse.outputs.chapters.length}`);
  });

  test('chapter_style changes the title form', async () => {
    const edu = await run(asset, { output_steering: { chapter_style: 'educational' } });
    for (const c of edu.outputs.chapters) assert.match(c.title, /^Understanding /);
    const punchy = await run(asset, { output_steering: { chapter_style: 'punchy' } });
    for (const c of punchy.outputs.chapters) assert.ok(c.title.split(' ').length <= 2, c.title);
    // Same segmentation whatever the style.
    assert.deepEqual(punchy.outputs.chapters.map((c) => c.start_time),
      job.outputs.chapters.map((c) => c.start_time));
  });
});

describe('update_asset_chapters', () => {
  test('creates a chapters track, then a second run replaces it', async () => {
    const first = await run(updAsset, { update_asset_chapters: true });
    assert.deepEqual(Object.keys(first.outputs).sort(), ['asset_update', 'chapters']);
    const u1 = first.outputs.asset_update;
    assert.equal(u1.status, 'created');
    assert.equal(typeof u1.track_id, 'string');
    assert.equal(u1.replaced_track_id, undefined);
    let a = await getAsset(updAsset.id);
    let ch = a.tracks.filter((t) => t.type === 'text' && t.text_type === 'chapters');
    assert.equal(ch.length, 1, JSON.stringify(a.tracks));
    assert.equal(ch[0].id, u1.track_id);
    assert.equal(ch[0].status, 'ready');
    assert.equal(ch[0].language_code, 'en');

    const second = await run(updAsset, { update_asset_chapters: true });
    const u2 = second.outputs.asset_update;
    assert.equal(u2.status, 'created');
    assert.equal(u2.replaced_track_id, u1.track_id);
    assert.notEqual(u2.track_id, u1.track_id);
    a = await getAsset(updAsset.id);
    ch = a.tracks.filter((t) => t.type === 'text' && t.text_type === 'chapters');
    assert.equal(ch.length, 1, JSON.stringify(a.tracks));
    assert.equal(ch[0].id, u2.track_id);
    // The captions track is untouched and still the one a new job reads.
    assert.ok(a.tracks.some((t) => t.type === 'text' && t.text_type === 'subtitles'));
    const third = await run(updAsset);
    assert.deepEqual(third.outputs.chapters, second.outputs.chapters);
  });

  test('update_asset_chapters:false leaves no asset_update and no track', async () => {
    const fresh = createCaptionsAsset(S.dataDir, 'main', VTT);
    const job = await run(fresh, { update_asset_chapters: false });
    assert.equal(job.outputs.asset_update, undefined);
    const a = await getAsset(fresh.id);
    assert.equal(a.tracks.filter((t) => t.text_type === 'chapters').length, 0);
  });
});

describe('parameter validation', () => {
  const post = (parameters) => S.c.post('/robots/v0/jobs/generate-chapters', { parameters });

  test('unknown chapter_granularity and chapter_style are 400 naming the field', async () => {
    let e = errorBody(assert, await post({ asset_id: asset.id,
      output_steering: { chapter_granularity: 'medium' } }), 400);
    assert.match(e.message, /chapter_granularity/);
    e = errorBody(assert, await post({ asset_id: asset.id,
      output_steering: { chapter_style: 'clickbait' } }), 400);
    assert.match(e.message, /chapter_style/);
  });

  test('generate-chapters takes no scope', async () => {
    const e = errorBody(assert, await post({ asset_id: asset.id,
      output_steering: { scope: { start_time: 0, end_time: 10 } } }), 400);
    assert.match(e.message, /scope/);
  });

  test('empty prompt_overrides sections and a non-boolean update flag are 400', async () => {
    let e = errorBody(assert, await post({ asset_id: asset.id,
      prompt_overrides: { title_guidelines: '' } }), 400);
    assert.match(e.message, /title_guidelines/);
    e = errorBody(assert, await post({ asset_id: asset.id, update_asset_chapters: 'yes' }), 400);
    assert.match(e.message, /update_asset_chapters/);
  });

  test('an asset without a caption track is 422 "no transcript"', async () => {
    // Only a chapters track left is not a transcript either: make an asset,
    // then delete its captions track.
    const bare = createCaptionsAsset(S.dataDir, 'main', VTT);
    const cap = bare.tracks.find((t) => t.type === 'text');
    const d = await S.c.del(`/video/v1/assets/${bare.id}/tracks/${cap.id}`);
    assert.ok(d.status === 204 || d.status === 200, d.text);
    const e = errorBody(assert, await post({ asset_id: bare.id }), 422);
    assert.match(e.message, /transcript/);
  });
});
