// find_key_moments.test.mjs — the find-key-moments workflow end to end on the
// builtin engine (spec §5.5): a 4-minute talk (60 cues of 4 s) with one
// emphatic, exclamation-filled announcement at 140-180 s that must land inside
// a returned moment; cue alignment against the fixture's cue times, verbatim
// cues and quotes, no overlap, order, max_moments and target_duration_ms,
// scope, steering, no transcript, and the parameter rules the API enforces
// at create time (400 naming the field).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { FIXTURES, createCaptionsAsset, errorBody, setup, textTrack, waitJob } from './lib.mjs';

// The talk shared with the C tests: one cue text per line, '#' lines are comments.
const CUES = fs.readFileSync(path.join(FIXTURES, 'moments', 'talk.txt'), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#'));
const STEP = 4000;
const ts = (ms) => {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3600000))}:${p(Math.floor(ms / 60000) % 60)}:${p(Math.floor(ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
};
const TALK_VTT = ['WEBVTT', '', ...CUES.flatMap((c, i) => [`${ts(i * STEP)} --> ${ts((i + 1) * STEP)}`, c, ''])].join('\n');
// The announcement's most emphatic, quotable line.
const ANNOUNCE = 'We are launching instant clipping today!';
const ANNOUNCE_MS = CUES.indexOf(ANNOUNCE) * STEP;

let S;
let asset;
let bare;
let seq = 0;

before(async () => {
  S = await setup({ nAssets: 0, workers: 2 });
  asset = createCaptionsAsset(S.dataDir, 'main', TALK_VTT);
  bare = createCaptionsAsset(S.dataDir, 'main', TALK_VTT);
});

after(async () => { await S?.server.stop(); });

const words = (s) => s.trim().split(/\s+/).filter(Boolean).length;

async function run(params) {
  // A unique passthrough keeps otherwise identical requests distinct jobs.
  const r = await S.c.post('/robots/v0/jobs/find-key-moments', { parameters: params, passthrough: `km-${seq++}` });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.data.workflow, 'find-key-moments');
  const job = await waitJob(S.c, 'find-key-moments', r.json.data.id, { timeout: 20000 });
  assert.equal(job.status, 'completed', JSON.stringify(job));
  return job;
}

// Every invariant of §5.5's outputs against the fixture's cue grid.
function check(o, { max = 10, min = 15000, maxDur = 60000 } = {}) {
  assert.deepEqual(Object.keys(o), ['moments'], JSON.stringify(o));
  const ms = o.moments;
  assert.ok(Array.isArray(ms));
  assert.ok(ms.length >= 1 && ms.length <= max, `${ms.length} moments, max ${max}`);
  let prevEnd = -1;
  for (const m of ms) {
    const keys = Object.keys(m);
    for (const k of keys) {
      assert.ok(['start_ms', 'end_ms', 'title', 'overall_score', 'cues', 'audible_narrative',
        'notable_audible_concepts', 'quotable_segment'].includes(k), `unexpected key ${k}`);
    }
    for (const k of ['start_ms', 'end_ms', 'title', 'overall_score', 'cues', 'audible_narrative', 'notable_audible_concepts']) {
      assert.ok(keys.includes(k), `missing ${k}: ${JSON.stringify(m)}`);
    }
    // Cue-aligned on the fixture's 4 s grid, ordered, not overlapping.
    assert.equal(m.start_ms % STEP, 0, `start ${m.start_ms}`);
    assert.equal(m.end_ms % STEP, 0, `end ${m.end_ms}`);
    assert.ok(m.start_ms >= prevEnd, `moment at ${m.start_ms} overlaps or is out of order`);
    prevEnd = m.end_ms;
    assert.ok(m.end_ms - m.start_ms >= min && m.end_ms - m.start_ms <= maxDur,
      `duration ${m.end_ms - m.start_ms} outside ${min}-${maxDur}`);
    assert.equal(m.cues.length, (m.end_ms - m.start_ms) / STEP);
    m.cues.forEach((c, i) => {
      assert.equal(c.start_ms, m.start_ms + i * STEP);
      assert.equal(c.end_ms, c.start_ms + STEP);
      assert.equal(c.text, CUES[c.start_ms / STEP], 'cue text verbatim');
    });
    assert.equal(typeof m.overall_score, 'number');
    assert.ok(m.overall_score >= 0 && m.overall_score <= 1);
    assert.ok(words(m.title) >= 3 && words(m.title) <= 8, `title "${m.title}"`);
    assert.ok(m.audible_narrative.length > 0);
    // The narrative is one sentence of the moment, verbatim.
    assert.ok(m.cues.map((c) => c.text).join(' ').includes(m.audible_narrative), m.audible_narrative);
    assert.ok(m.notable_audible_concepts.length <= 5);
    for (const c of m.notable_audible_concepts) assert.ok(words(c) >= 2 && words(c) <= 5, `concept "${c}"`);
    if (m.quotable_segment) {
      assert.deepEqual(Object.keys(m.quotable_segment).sort(), ['start_ms', 'text']);
      const q = m.quotable_segment;
      assert.ok(q.start_ms >= m.start_ms && q.start_ms < m.end_ms);
      assert.equal(q.start_ms % STEP, 0);
      assert.ok(m.cues.map((c) => c.text).join(' ').includes(q.text), `quote "${q.text}" not verbatim`);
    }
  }
  return ms;
}

const holding = (ms, t) => ms.find((m) => m.start_ms <= t && t < m.end_ms);

describe('find-key-moments on the builtin engine', () => {
  test('defaults: up to 10 moments of 15-60 s; the announcement is a moment', async () => {
    const job = await run({ asset_id: asset.id });
    const ms = check(job.outputs);
    assert.equal(ms.length, 10);
    const m = holding(ms, ANNOUNCE_MS);
    assert.ok(m, `no moment holds ${ANNOUNCE_MS}: ${JSON.stringify(ms.map((x) => [x.start_ms, x.end_ms]))}`);
    assert.deepEqual(m.quotable_segment, { start_ms: ANNOUNCE_MS, text: ANNOUNCE });
    assert.match(m.title, /instant clipping/i);
    assert.ok(m.notable_audible_concepts.some((c) => /instant clipping/i.test(c)));
    // The cache-keys passage, the talk's most technical one, is a moment too.
    assert.ok(holding(ms, 60000), 'no moment about the cache hit ratio');
  });

  test('max_moments and target_duration_ms are respected; exact picks', async () => {
    const job = await run({ asset_id: asset.id, max_moments: 3, target_duration_ms: { min: 10000, max: 30000 } });
    const ms = check(job.outputs, { max: 3, min: 10000, maxDur: 30000 });
    assert.deepEqual(ms.map((m) => [m.start_ms, m.end_ms]), [[0, 20000], [48000, 72000], [144000, 168000]]);
    assert.deepEqual(ms.map((m) => m.title), [
      'Edge cache: encoding ladder',
      'Cache hit ratio: split identical segments',
      'Instant clipping: live stream',
    ]);
    assert.equal(ms[2].cues[0].text, ANNOUNCE);
    assert.ok(ms[1].overall_score > ms[0].overall_score);
  });

  test('max_moments 1 keeps the single best moment', async () => {
    const job = await run({ asset_id: asset.id, max_moments: 1, target_duration_ms: { min: 10000, max: 30000 } });
    const ms = check(job.outputs, { max: 1, min: 10000, maxDur: 30000 });
    assert.equal(ms.length, 1);
    assert.equal(ms[0].start_ms, 48000);
  });

  test('steering: hooks + emotional priority + punchy titles put the announcement first', async () => {
    const job = await run({
      asset_id: asset.id,
      max_moments: 3,
      target_duration_ms: { min: 10000, max: 30000 },
      output_steering: {
        selection_strategy: 'standalone_hooks',
        rubric_priorities: ['emotional_intensity', 'soundbite_quality'],
        title_style: 'punchy',
        audience: 'developers',
        brand_terms: ['Streamline'],
        topic_taxonomy: { allow_other: true, values: [{ label: 'Video delivery' }] },
      },
    });
    const ms = check(job.outputs, { max: 3, min: 10000, maxDur: 30000 });
    const m = holding(ms, ANNOUNCE_MS);
    assert.ok(m);
    assert.equal(Math.max(...ms.map((x) => x.overall_score)), m.overall_score);
    assert.ok(m.title.endsWith('!'), m.title);
    for (const x of ms) assert.ok(words(x.title) <= 5, `punchy title "${x.title}"`);
  });

  test('scope: only the window 100-200 s is analysed, times stay absolute', async () => {
    const job = await run({ asset_id: asset.id, output_steering: { scope: { start_time: 100, end_time: 200 } } });
    const ms = check(job.outputs);
    for (const m of ms) {
      assert.ok(m.start_ms >= 100000 && m.end_ms <= 200000, `${m.start_ms}-${m.end_ms}`);
    }
    assert.ok(holding(ms, ANNOUNCE_MS));
  });

  test('an asset without a caption track: errored, validation_error "no transcript"', async () => {
    const t = textTrack(bare);
    const d = await S.c.del(`/video/v1/assets/${bare.id}/tracks/${t.id}`);
    assert.ok(d.status === 204 || d.status === 200, d.text);
    const r = await S.c.post('/robots/v0/jobs/find-key-moments', { parameters: { asset_id: bare.id } });
    // The API refuses it at create time (422) when it sees no caption track.
    if (r.status === 422) {
      errorBody(assert, r, 422);
      assert.match(r.json.error.message, /no transcript/);
      return;
    }
    assert.equal(r.status, 202, r.text);
    const job = await waitJob(S.c, 'find-key-moments', r.json.data.id);
    assert.equal(job.status, 'errored', JSON.stringify(job));
    assert.equal(job.errors[0].type, 'validation_error');
    assert.match(job.errors[0].message, /no transcript/);
  });
});

describe('find-key-moments parameter rules (400 naming the field)', () => {
  const bad = (name, params, field) => test(name, async () => {
    const r = await S.c.post('/robots/v0/jobs/find-key-moments', { parameters: { asset_id: asset.id, ...params } });
    const e = errorBody(assert, r, 400);
    assert.match(e.message, new RegExp(field), e.message);
  });
  bad('max_moments 0', { max_moments: 0 }, 'max_moments');
  bad('max_moments 26', { max_moments: 26 }, 'max_moments');
  bad('max_moments not an integer', { max_moments: 2.5 }, 'max_moments');
  bad('target_duration_ms without max', { target_duration_ms: { min: 1000 } }, 'max');
  bad('target_duration_ms without min', { target_duration_ms: { max: 1000 } }, 'min');
  bad('target_duration_ms min 0', { target_duration_ms: { min: 0, max: 1000 } }, 'min');
  bad('target_duration_ms min > max', { target_duration_ms: { min: 9000, max: 8000 } }, 'min');
  bad('use_shots true (no shot detection)', { use_shots: true }, 'use_shots');
  bad('use_shots not a boolean', { use_shots: 'yes' }, 'use_shots');
  bad('selection_strategy unknown', { output_steering: { selection_strategy: 'viral' } }, 'selection_strategy');
  bad('title_style unknown', { output_steering: { title_style: 'seo' } }, 'title_style');
  bad('rubric_priorities unknown', { output_steering: { rubric_priorities: ['speed'] } }, 'rubric_priorities');
  bad('brand_terms not strings', { output_steering: { brand_terms: [1] } }, 'brand_terms');
  bad('topic_taxonomy without values', { output_steering: { topic_taxonomy: { allow_other: true } } }, 'values');
  bad('scope start after end', { output_steering: { scope: { start_time: 50, end_time: 10 } } }, 'scope');
  bad('unknown parameter', { shots: true }, 'shots');
});
