// summarize.test.mjs — the summarize workflow end to end on the builtin
// engine (spec §5.1): outputs within the limits and about the fixture's
// subject (a three-minute sourdough baking talk), update_asset_meta visible
// through the Video API, scope, taxonomy and brand terms, no transcript, and
// the parameter rules specific to summarize (400 naming the field).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { FIXTURES, createCaptionsAsset, errorBody, setup, textTrack, waitJob } from './lib.mjs';

const SOURDOUGH_VTT = fs.readFileSync(path.join(FIXTURES, 'summarize', 'sourdough.vtt'), 'utf8');

let S;
let asset;     // read-only jobs
let metaAsset; // update_asset_meta
let bare;      // its caption track deleted: no transcript

before(async () => {
  // Exact titles must not depend on the thesaurus packages installed.
  S = await setup({ nAssets: 0, workers: 2, env: { ROBOTS_THESAURUS_DIR: path.join(FIXTURES, 'thesaurus') } });
  asset = createCaptionsAsset(S.dataDir, 'main', SOURDOUGH_VTT);
  metaAsset = createCaptionsAsset(S.dataDir, 'main', SOURDOUGH_VTT);
  bare = createCaptionsAsset(S.dataDir, 'main', SOURDOUGH_VTT);
});

after(async () => { await S?.server.stop(); });

const words = (s) => s.trim().split(/\s+/).filter(Boolean).length;

async function create(params) {
  const r = await S.c.post('/robots/v0/jobs/summarize', { parameters: params });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.data.workflow, 'summarize');
  return waitJob(S.c, 'summarize', r.json.data.id, { timeout: 20000 });
}

async function run(params) {
  const job = await create(params);
  assert.equal(job.status, 'completed', JSON.stringify(job));
  return job;
}

function checkOutputs(o, { titleWords = 12, descWords = Infinity, tags = 10 } = {}) {
  assert.deepEqual(Object.keys(o).sort(), ['description', 'tags', 'title'], JSON.stringify(o));
  assert.equal(typeof o.title, 'string');
  assert.ok(o.title.length > 0);
  assert.ok(words(o.title) <= titleWords, `title "${o.title}" over ${titleWords} words`);
  assert.equal(typeof o.description, 'string');
  assert.ok(o.description.length > 0);
  assert.ok(words(o.description) <= descWords, `description over ${descWords} words`);
  assert.ok(Array.isArray(o.tags));
  assert.ok(o.tags.length <= tags, `${o.tags.length} tags > ${tags}`);
  const seen = new Set();
  for (const t of o.tags) {
    assert.equal(typeof t, 'string');
    assert.ok(t.trim().length > 0 && t === t.trim(), `tag "${t}"`);
    assert.ok(!seen.has(t.toLowerCase()), `duplicate tag "${t}"`);
    seen.add(t.toLowerCase());
  }
}

describe('builtin engine on the sourdough talk', () => {
  test('defaults: title, description and ten tags about sourdough', async () => {
    const job = await run({ asset_id: asset.id });
    checkOutputs(job.outputs);
    const o = job.outputs;
    assert.equal(o.tags.length, 10);
    assert.ok(o.tags.includes('sourdough'), JSON.stringify(o.tags));
    assert.ok(o.tags.includes('sourdough starter'), JSON.stringify(o.tags));
    assert.ok(o.tags.includes('bulk fermentation'), JSON.stringify(o.tags));
    assert.match(o.title, /sourdough/i);
    assert.equal(o.title, 'Sourdough Starter, Bulk Fermentation and Dutch Oven');
    assert.match(o.description, /sourdough/i);
    // Concise: whole sentences from the transcript, two of them.
    const sentences = o.description.match(/[^.!?]+[.!?]/g);
    assert.equal(sentences.length, 2);
    for (const s of sentences) {
      assert.ok(SOURDOUGH_VTT.replace(/\s+/g, ' ').includes(s.trim().split(' ').slice(0, 4).join(' ')),
        `"${s}" comes from the transcript`);
    }
    assert.equal(job.units_consumed, 1);
    assert.deepEqual(job.parameters, { asset_id: asset.id });
    assert.equal(job.resources?.assets?.[0]?.id, asset.id);
  });

  test('limits, tone and style', async () => {
    const job = await run({
      asset_id: asset.id, tone: 'professional', title_length: 4, description_length: 25,
      tag_count: 3, output_steering: { summary_style: 'detailed' },
    });
    checkOutputs(job.outputs, { titleWords: 4, descWords: 25, tags: 3 });
    assert.equal(job.outputs.tags.length, 3);
    assert.equal(job.outputs.title, 'Sourdough Starter: Bulk Fermentation');
  });

  test('playful tone ends the title with "!"', async () => {
    const job = await run({ asset_id: asset.id, tone: 'playful' });
    checkOutputs(job.outputs);
    assert.match(job.outputs.title, /!$/);
  });

  test('editorial style picks the opinion sentence', async () => {
    const job = await run({ asset_id: asset.id, output_steering: { summary_style: 'editorial' } });
    checkOutputs(job.outputs);
    assert.match(job.outputs.description, /I honestly think a dark crust is the best part/);
  });

  test('scope: only the first 40 seconds are read', async () => {
    const job = await run({ asset_id: asset.id, output_steering: { scope: { start_time: 0, end_time: 40 } } });
    checkOutputs(job.outputs);
    assert.ok(!/oven/i.test(job.outputs.description), job.outputs.description);
    assert.ok(!job.outputs.tags.includes('dutch oven'), JSON.stringify(job.outputs.tags));
    assert.ok(job.outputs.tags.includes('sourdough starter'), JSON.stringify(job.outputs.tags));
  });

  test('strict taxonomy: only labels, aliases reported as their label', async () => {
    const job = await run({
      asset_id: asset.id,
      output_steering: {
        tag_taxonomy: {
          allow_other: false,
          values: [
            { label: 'Bread', aliases: ['sourdough loaf', 'sourdough bread'] },
            { label: 'Fermentation' },
            { label: 'Pastry' },
          ],
        },
      },
    });
    checkOutputs(job.outputs);
    assert.deepEqual([...job.outputs.tags].sort(), ['Bread', 'Fermentation']);
  });

  test('open taxonomy: labels first, then other tags', async () => {
    const job = await run({
      asset_id: asset.id, tag_count: 5,
      output_steering: { tag_taxonomy: { allow_other: true, values: [{ label: 'Baking', aliases: ['bake'] }] } },
    });
    checkOutputs(job.outputs, { tags: 5 });
    assert.equal(job.outputs.tags[0], 'Baking');
    assert.equal(job.outputs.tags.length, 5);
  });

  test('brand terms said in the talk come first, as written', async () => {
    const job = await run({
      asset_id: asset.id, tag_count: 4,
      output_steering: { brand_terms: ['Dutch Oven', 'KitchenAid'], audience: 'home bakers' },
    });
    checkOutputs(job.outputs, { tags: 4 });
    assert.equal(job.outputs.tags[0], 'Dutch Oven');
    assert.ok(!job.outputs.tags.includes('KitchenAid'));
    assert.match(job.outputs.title, /^Dutch Oven/);
  });

  test('output_language_code other than the transcript: unsupported_language', async () => {
    const job = await create({ asset_id: asset.id, output_language_code: 'ja' });
    assert.equal(job.status, 'errored', JSON.stringify(job));
    assert.equal(job.errors[0].type, 'unsupported_language');
    assert.equal(job.outputs, undefined);
  });
});

describe('update_asset_meta', () => {
  test('writes meta.title, visible at GET /video/v1/assets/{id}', async () => {
    const before = await S.c.get(`/video/v1/assets/${metaAsset.id}`);
    assert.equal(before.status, 200);
    assert.equal(before.json.data.meta?.title, undefined);
    const job = await run({ asset_id: metaAsset.id, update_asset_meta: true });
    checkOutputs(job.outputs);
    const a = await S.c.get(`/video/v1/assets/${metaAsset.id}`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.data.meta?.title, job.outputs.title);
    assert.match(a.json.data.meta.title, /sourdough/i);
  });
});

describe('no transcript', () => {
  test('an asset without a caption track: errored, validation_error "no transcript"', async () => {
    const t = textTrack(bare);
    const d = await S.c.del(`/video/v1/assets/${bare.id}/tracks/${t.id}`);
    assert.ok(d.status === 204 || d.status === 200, d.text);
    const r = await S.c.post('/robots/v0/jobs/summarize', { parameters: { asset_id: bare.id } });
    assert.equal(r.status, 202, r.text);
    const job = await waitJob(S.c, 'summarize', r.json.data.id);
    assert.equal(job.status, 'errored', JSON.stringify(job));
    assert.equal(job.errors[0].type, 'validation_error');
    assert.match(job.errors[0].message, /no transcript/);
    assert.equal(job.errors[0].retryable, false);
  });
});

describe('summarize parameter rules (400 naming the field)', () => {
  const bad = (name, params, field) => test(name, async () => {
    const r = await S.c.post('/robots/v0/jobs/summarize', { parameters: { asset_id: asset.id, ...params } });
    const e = errorBody(assert, r, 400);
    assert.match(e.message, new RegExp(field), e.message);
  });
  bad('title_length 0', { title_length: 0 }, 'title_length');
  bad('description_length negative', { description_length: -3 }, 'description_length');
  bad('tag_count 0', { tag_count: 0 }, 'tag_count');
  bad('tone unknown', { tone: 'sarcastic' }, 'tone');
  bad('summary_style unknown', { output_steering: { summary_style: 'verbose' } }, 'summary_style');
  bad('brand_terms not strings', { output_steering: { brand_terms: [1, 2] } }, 'brand_terms');
  bad('taxonomy without values', { output_steering: { tag_taxonomy: { allow_other: false } } }, 'values');
  bad('taxonomy with no value', { output_steering: { tag_taxonomy: { allow_other: false, values: [] } } }, 'values');
  bad('taxonomy allow_other missing', { output_steering: { tag_taxonomy: { values: [{ label: 'A' }] } } }, 'allow_other');
  bad('taxonomy label over 100 chars', {
    output_steering: { tag_taxonomy: { allow_other: false, values: [{ label: 'x'.repeat(101) }] } },
  }, 'label');
  bad('taxonomy with 11 aliases', {
    output_steering: { tag_taxonomy: { allow_other: false, values: [{ label: 'A', aliases: Array.from({ length: 11 }, (_, i) => `a${i}`) }] } },
  }, 'aliases');
  bad('taxonomy with 51 values', {
    output_steering: { tag_taxonomy: { allow_other: false, values: Array.from({ length: 51 }, (_, i) => ({ label: `L${i}` })) } },
  }, 'values');
  bad('taxonomy over 2000 serialized characters', {
    output_steering: {
      tag_taxonomy: {
        allow_other: false,
        values: Array.from({ length: 30 }, (_, i) => ({ label: `label ${i}`, description: 'd'.repeat(80) })),
      },
    },
  }, 'tag_taxonomy');
  bad('prompt_overrides.title empty', { prompt_overrides: { title: '' } }, 'title');
  bad('prompt_overrides unknown section', { prompt_overrides: { intro: 'x' } }, 'intro');
  bad('scope start after end', { output_steering: { scope: { start_time: 50, end_time: 10 } } }, 'scope');
});
