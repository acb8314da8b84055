// text_workflows.test.mjs — summarize, generate-chapters, ask-questions and
// find-key-moments driven through the official SDK (@mux/mux-node) on the
// builtin engine, on the demo interview (samples/demo.en.vtt: an intro, then
// encoding, captions, analytics and pricing, then advice).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import Mux, { BadRequestError } from '@mux/mux-node';

import {
  REPO, createCaptionsAsset, createToken, sleep, startServer, tempDir,
} from '../blackbox/lib.mjs';

const VTT = fs.readFileSync(path.join(REPO, 'samples', 'demo.en.vtt'), 'utf8');
// The cue where each new topic starts, seconds.
const TOPIC_STARTS = [55.079, 142.0, 214.983, 283.784];
const DURATION = 357.75;

let server;
let mux;
let asset;

before(async () => {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'sdk-text');
  asset = createCaptionsAsset(dataDir, 'sdk-text', VTT);
  server = await startServer({ dataDir, workers: 2 });
  mux = new Mux({ tokenId: token.id, tokenSecret: token.secret, baseURL: server.url });
});

after(async () => { await server?.stop(); });

async function finish(resource, job) {
  assert.equal(job.status, 'pending');
  for (let i = 0; i < 300; i++) {
    const j = await resource.retrieve(job.id);
    if (['completed', 'errored', 'cancelled'].includes(j.status)) {
      assert.equal(j.status, 'completed', JSON.stringify(j.errors));
      assert.ok(j.units_consumed >= 1);
      return j;
    }
    await sleep(50);
  }
  throw new Error(`job ${job.id} did not finish`);
}

describe('text workflows through the SDK (builtin engine)', () => {
  test('summarize: title, description and tags within the limits', async () => {
    const r = mux.robots.jobs.summarize;
    const j = await finish(r, await r.create({
      parameters: { asset_id: asset.id, title_length: 8, description_length: 60, tag_count: 6 },
    }));
    const o = j.outputs;
    assert.equal(typeof o.title, 'string');
    assert.ok(o.title.length > 0 && o.title.split(/\s+/).length <= 8, o.title);
    assert.ok(o.description.split(/\s+/).length <= 60, o.description);
    assert.ok(Array.isArray(o.tags) && o.tags.length >= 1 && o.tags.length <= 6, JSON.stringify(o.tags));
    assert.equal(new Set(o.tags.map((t) => t.toLowerCase())).size, o.tags.length);
    // The interview is about running a video platform: some tag says so.
    assert.ok(o.tags.some((t) => /video|caption|encod|student|lesson|school/i.test(t)), JSON.stringify(o.tags));
  });

  test('generate-chapters: sorted, first at 0, inside the asset, near the topic changes', async () => {
    const r = mux.robots.jobs.generateChapters;
    const j = await finish(r, await r.create({ parameters: { asset_id: asset.id } }));
    const ch = j.outputs.chapters;
    assert.ok(ch.length >= 2, JSON.stringify(ch));
    assert.equal(ch[0].start_time, 0);
    for (let i = 1; i < ch.length; i++) assert.ok(ch[i].start_time > ch[i - 1].start_time);
    assert.ok(ch.every((c) => c.start_time < DURATION && c.title.length > 0));
    assert.equal(j.outputs.asset_update, undefined);
    const near = TOPIC_STARTS.filter((t) => ch.some((c) => Math.abs(c.start_time - t) <= 20));
    assert.ok(near.length >= 2, `chapters ${JSON.stringify(ch)} vs topics ${TOPIC_STARTS}`);
  });

  test('ask-questions: one answer per question, in order, from the options', async () => {
    const r = mux.robots.jobs.askQuestions;
    const questions = [
      { question: 'Do they translate the captions into Spanish?' },
      { question: 'Which format do they store captions in?', answer_options: ['WebVTT', 'SRT', 'TTML'] },
      { question: 'What is the recommended dosage of ibuprofen for children?' },
    ];
    const j = await finish(r, await r.create({ parameters: { asset_id: asset.id, questions } }));
    const a = j.outputs.answers;
    assert.equal(a.length, 3);
    a.forEach((x, i) => {
      assert.equal(x.question, questions[i].question);
      assert.ok(x.confidence >= 0 && x.confidence <= 1);
      assert.equal(typeof x.reasoning, 'string');
    });
    assert.equal(a[0].answer, 'yes', JSON.stringify(a[0]));
    assert.equal(a[1].answer, 'WebVTT', JSON.stringify(a[1]));
    assert.equal(a[2].skipped, true, JSON.stringify(a[2]));
    assert.equal(a[2].answer, null);
    assert.equal(a[2].confidence, 0);
  });

  test('find-key-moments: cue-aligned, ordered, non-overlapping, scored', async () => {
    const r = mux.robots.jobs.findKeyMoments;
    const j = await finish(r, await r.create({
      parameters: { asset_id: asset.id, max_moments: 4, target_duration_ms: { min: 10000, max: 40000 } },
    }));
    const m = j.outputs.moments;
    assert.ok(m.length >= 1 && m.length <= 4, JSON.stringify(m));
    for (let i = 0; i < m.length; i++) {
      const x = m[i];
      assert.ok(x.start_ms < x.end_ms);
      if (i > 0) assert.ok(x.start_ms >= m[i - 1].end_ms, 'ordered and non-overlapping');
      assert.ok(x.overall_score >= 0 && x.overall_score <= 1);
      const words = x.title.split(/\s+/).length;
      assert.ok(words >= 3 && words <= 8, x.title);
      assert.ok(x.cues.length >= 1);
      assert.equal(x.cues[0].start_ms, x.start_ms);
      assert.equal(x.cues[x.cues.length - 1].end_ms, x.end_ms);
      for (const c of x.cues) assert.ok(VTT.includes(c.text.split(' ')[0]), c.text);
      for (const k of x.notable_audible_concepts) {
        const n = k.split(/\s+/).length;
        assert.ok(n >= 2 && n <= 5, k);
      }
    }
  });

  test('use_shots: true is a BadRequestError naming the field', async () => {
    await assert.rejects(
      mux.robots.jobs.findKeyMoments.create({ parameters: { asset_id: asset.id, use_shots: true } }),
      (e) => e instanceof BadRequestError && /use_shots/.test(JSON.stringify(e.error)));
  });
});
