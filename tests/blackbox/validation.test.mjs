// validation.test.mjs — table-driven 400s for every workflow's parameters
// (spec §1.3, §5.x). Each case starts from a valid body, breaks one thing, and
// expects 400 invalid_parameters with a message that names the field.
// Validation happens before the 501 check, so unimplemented workflows are
// covered too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { IMPLEMENTED, WORKFLOWS, errorBody, setup, textTrack } from './lib.mjs';

let S;
before(async () => { S = await setup({ nAssets: 1, workers: 0 }); });
after(async () => { await S?.server.stop(); });

// Valid minimal parameters per workflow (filled once the asset exists).
function base(wf) {
  const a = S.assets[0];
  const t = textTrack(a).id;
  switch (wf) {
    case 'edit-captions': return { asset_id: a.id, track_id: t, replacements: [{ find: 'a', replace: 'b' }] };
    case 'translate-captions': return { asset_id: a.id, track_id: t, to_language_code: 'fr' };
    case 'translate-audio': return { asset_id: a.id, to_language_code: 'es' };
    case 'ask-questions': return { asset_id: a.id, questions: [{ question: 'Is it short?' }] };
    default: return { asset_id: a.id };
  }
}

const without = (o, k) => { const c = { ...o }; delete c[k]; return c; };
const long = (n) => 'x'.repeat(n);

// [workflow, description, (base) => body, [field path segments the message must name]]
const cases = [
  // envelope (same for every workflow)
  ['summarize', 'parameters missing', () => ({}), ['parameters']],
  ['summarize', 'parameters not an object', () => ({ parameters: 'x' }), ['parameters']],
  ['edit-captions', 'parameters is an array', () => ({ parameters: [] }), ['parameters']],
  ['moderate', 'passthrough not a string', (b) => ({ parameters: b, passthrough: 5 }), ['passthrough']],
  ['moderate', 'passthrough over 255 chars', (b) => ({ parameters: b, passthrough: long(256) }), ['passthrough']],

  // summarize
  ['summarize', 'asset_id missing', (b) => ({ parameters: without(b, 'asset_id') }), ['asset_id']],
  ['summarize', 'asset_id empty', (b) => ({ parameters: { ...b, asset_id: '' } }), ['asset_id']],
  ['summarize', 'asset_id not a string', (b) => ({ parameters: { ...b, asset_id: 42 } }), ['asset_id']],
  ['summarize', 'tone not in enum', (b) => ({ parameters: { ...b, tone: 'angry' } }), ['tone']],
  ['summarize', 'tag_count 0', (b) => ({ parameters: { ...b, tag_count: 0 } }), ['tag_count']],
  ['summarize', 'title_length a string', (b) => ({ parameters: { ...b, title_length: '5' } }), ['title_length']],
  ['summarize', 'description_length 1.5', (b) => ({ parameters: { ...b, description_length: 1.5 } }), ['description_length']],
  ['summarize', 'prompt_overrides.task empty', (b) => ({ parameters: { ...b, prompt_overrides: { task: '' } } }), ['prompt_overrides', 'task']],
  ['summarize', 'output_steering.summary_style bad', (b) => ({ parameters: { ...b, output_steering: { summary_style: 'long' } } }), ['output_steering', 'summary_style']],
  ['summarize', 'update_asset_meta not boolean', (b) => ({ parameters: { ...b, update_asset_meta: 'yes' } }), ['update_asset_meta']],
  ['summarize', 'unknown parameter key', (b) => ({ parameters: { ...b, colour: 'red' } }), ['colour']],

  // moderate
  ['moderate', 'thresholds.sexual > 1', (b) => ({ parameters: { ...b, thresholds: { sexual: 1.5 } } }), ['thresholds', 'sexual']],
  ['moderate', 'thresholds.violence < 0', (b) => ({ parameters: { ...b, thresholds: { violence: -0.1 } } }), ['thresholds', 'violence']],
  ['moderate', 'sampling_interval 4', (b) => ({ parameters: { ...b, sampling_interval: 4 } }), ['sampling_interval']],
  ['moderate', 'max_samples 0', (b) => ({ parameters: { ...b, max_samples: 0 } }), ['max_samples']],
  ['moderate', 'on_flagged without action', (b) => ({ parameters: { ...b, on_flagged: {} } }), ['on_flagged', 'action']],
  ['moderate', 'on_flagged.action bad', (b) => ({ parameters: { ...b, on_flagged: { action: 'delete_asset' } } }), ['on_flagged', 'action']],
  ['moderate', 'language_code empty', (b) => ({ parameters: { ...b, language_code: '' } }), ['language_code']],

  // generate-chapters
  ['generate-chapters', 'chapter_style bad', (b) => ({ parameters: { ...b, output_steering: { chapter_style: 'loud' } } }), ['output_steering', 'chapter_style']],
  ['generate-chapters', 'chapter_granularity bad', (b) => ({ parameters: { ...b, output_steering: { chapter_granularity: 'huge' } } }), ['output_steering', 'chapter_granularity']],
  ['generate-chapters', 'language_code empty', (b) => ({ parameters: { ...b, language_code: '' } }), ['language_code']],
  ['generate-chapters', 'prompt_overrides.title_guidelines empty', (b) => ({ parameters: { ...b, prompt_overrides: { title_guidelines: '' } } }), ['prompt_overrides', 'title_guidelines']],
  ['generate-chapters', 'update_asset_chapters not boolean', (b) => ({ parameters: { ...b, update_asset_chapters: 1 } }), ['update_asset_chapters']],

  // ask-questions
  ['ask-questions', 'questions missing', (b) => ({ parameters: without(b, 'questions') }), ['questions']],
  ['ask-questions', 'questions empty', (b) => ({ parameters: { ...b, questions: [] } }), ['questions']],
  ['ask-questions', '51 questions', (b) => ({ parameters: { ...b, questions: Array.from({ length: 51 }, (_, i) => ({ question: `q${i}?` })) } }), ['questions']],
  ['ask-questions', 'question empty', (b) => ({ parameters: { ...b, questions: [{ question: '' }] } }), ['questions', 'question']],
  ['ask-questions', 'question over 600 chars', (b) => ({ parameters: { ...b, questions: [{ question: long(601) }] } }), ['questions', 'question']],
  ['ask-questions', 'answer_options with free_form_reply', (b) => ({ parameters: { ...b, questions: [{ question: 'Why?', answer_options: ['a'], free_form_reply: true }] } }), ['questions']],
  ['ask-questions', 'answer_options empty', (b) => ({ parameters: { ...b, questions: [{ question: 'Why?', answer_options: [] }] } }), ['questions', 'answer_options']],
  ['ask-questions', 'answer option over 150 chars', (b) => ({ parameters: { ...b, questions: [{ question: 'Why?', answer_options: [long(151)] }] } }), ['questions', 'answer_options']],
  ['ask-questions', 'max_free_form_answer_length 1001', (b) => ({ parameters: { ...b, max_free_form_answer_length: 1001 } }), ['max_free_form_answer_length']],
  ['ask-questions', 'max_free_form_answer_length 0', (b) => ({ parameters: { ...b, max_free_form_answer_length: 0 } }), ['max_free_form_answer_length']],

  // find-key-moments
  ['find-key-moments', 'max_moments 0', (b) => ({ parameters: { ...b, max_moments: 0 } }), ['max_moments']],
  ['find-key-moments', 'max_moments 26', (b) => ({ parameters: { ...b, max_moments: 26 } }), ['max_moments']],
  ['find-key-moments', 'target_duration_ms without max', (b) => ({ parameters: { ...b, target_duration_ms: { min: 1000 } } }), ['target_duration_ms', 'max']],
  ['find-key-moments', 'target_duration_ms.min 0', (b) => ({ parameters: { ...b, target_duration_ms: { min: 0, max: 1000 } } }), ['target_duration_ms', 'min']],
  ['find-key-moments', 'selection_strategy bad', (b) => ({ parameters: { ...b, output_steering: { selection_strategy: 'random' } } }), ['output_steering', 'selection_strategy']],
  ['find-key-moments', 'rubric_priorities item bad', (b) => ({ parameters: { ...b, output_steering: { rubric_priorities: ['novelty', 'loudness'] } } }), ['output_steering', 'rubric_priorities']],
  ['find-key-moments', 'use_shots not boolean', (b) => ({ parameters: { ...b, use_shots: 'true' } }), ['use_shots']],

  // translate-captions
  ['translate-captions', 'track_id missing', (b) => ({ parameters: without(b, 'track_id') }), ['track_id']],
  ['translate-captions', 'to_language_code missing', (b) => ({ parameters: without(b, 'to_language_code') }), ['to_language_code']],
  ['translate-captions', 'to_language_code empty', (b) => ({ parameters: { ...b, to_language_code: '' } }), ['to_language_code']],
  ['translate-captions', 'never_translate with <', (b) => ({ parameters: { ...b, never_translate: ['<b>Mux</b>'] } }), ['never_translate']],
  ['translate-captions', 'never_translate not an array', (b) => ({ parameters: { ...b, never_translate: 'Mux' } }), ['never_translate']],
  ['translate-captions', 'upload_to_mux not boolean', (b) => ({ parameters: { ...b, upload_to_mux: 'no' } }), ['upload_to_mux']],

  // edit-captions
  ['edit-captions', 'no edit kind at all', (b) => ({ parameters: without(b, 'replacements') }), ['replacements']],
  ['edit-captions', 'track_id missing', (b) => ({ parameters: without(b, 'track_id') }), ['track_id']],
  ['edit-captions', 'track_id empty', (b) => ({ parameters: { ...b, track_id: '' } }), ['track_id']],
  ['edit-captions', 'replacements[0].find empty', (b) => ({ parameters: { ...b, replacements: [{ find: '', replace: 'x' }] } }), ['replacements', 'find']],
  ['edit-captions', 'replacements[1].replace missing', (b) => ({ parameters: { ...b, replacements: [{ find: 'a', replace: 'b' }, { find: 'c' }] } }), ['replacements', 'replace']],
  ['edit-captions', 'replacements[0].case_sensitive not boolean', (b) => ({ parameters: { ...b, replacements: [{ find: 'a', replace: 'b', case_sensitive: 'yes' }] } }), ['replacements', 'case_sensitive']],
  ['edit-captions', 'replacements not an array', (b) => ({ parameters: { ...b, replacements: { find: 'a', replace: 'b' } } }), ['replacements']],
  ['edit-captions', 'speaker_replacements[0].find missing', (b) => ({ parameters: { ...b, speaker_replacements: [{ replace: 'Alice' }] } }), ['speaker_replacements', 'find']],
  ['edit-captions', 'auto_censor_profanity.mode bad', (b) => ({ parameters: { ...b, auto_censor_profanity: { mode: 'bleep' } } }), ['auto_censor_profanity', 'mode']],
  ['edit-captions', 'auto_censor_profanity.detection_method bad', (b) => ({ parameters: { ...b, auto_censor_profanity: { detection_method: 'regex' } } }), ['auto_censor_profanity', 'detection_method']],
  ['edit-captions', 'always_censor not strings', (b) => ({ parameters: { ...b, auto_censor_profanity: { always_censor: [1] } } }), ['auto_censor_profanity', 'always_censor']],
  ['edit-captions', 'track_name_suffix empty', (b) => ({ parameters: { ...b, track_name_suffix: '' } }), ['track_name_suffix']],
  ['edit-captions', 'delete_original_track not boolean', (b) => ({ parameters: { ...b, delete_original_track: 'no' } }), ['delete_original_track']],
  ['edit-captions', 'unknown parameter key', (b) => ({ parameters: { ...b, replacement: [] } }), ['replacement']],

  // generate-engagement-insights
  ['generate-engagement-insights', 'asset_id missing', () => ({ parameters: {} }), ['asset_id']],
  ['generate-engagement-insights', 'asset_id null', () => ({ parameters: { asset_id: null } }), ['asset_id']],
  ['generate-engagement-insights', 'unknown parameter key', (b) => ({ parameters: { ...b, timeframe: '7:days' } }), ['timeframe']],

  // find-scenes
  ['find-scenes', 'min_scene_duration_ms 999', (b) => ({ parameters: { ...b, min_scene_duration_ms: 999 } }), ['min_scene_duration_ms']],
  ['find-scenes', 'segmentation_strategy bad', (b) => ({ parameters: { ...b, output_steering: { segmentation_strategy: 'chaos' } } }), ['output_steering', 'segmentation_strategy']],
  ['find-scenes', 'title_style bad', (b) => ({ parameters: { ...b, output_steering: { title_style: 'punchy' } } }), ['output_steering', 'title_style']],
  ['find-scenes', 'narration_detail bad', (b) => ({ parameters: { ...b, output_steering: { narration_detail: 'verbose' } } }), ['output_steering', 'narration_detail']],

  // find-best-thumbnails
  ['find-best-thumbnails', 'max_thumbnails 0', (b) => ({ parameters: { ...b, max_thumbnails: 0 } }), ['max_thumbnails']],
  ['find-best-thumbnails', 'max_thumbnails 6', (b) => ({ parameters: { ...b, max_thumbnails: 6 } }), ['max_thumbnails']],
  ['find-best-thumbnails', 'selection_strategy bad', (b) => ({ parameters: { ...b, output_steering: { selection_strategy: 'ugly' } } }), ['output_steering', 'selection_strategy']],
  ['find-best-thumbnails', 'scoring_priorities item bad', (b) => ({ parameters: { ...b, output_steering: { scoring_priorities: ['focus', 'size'] } } }), ['output_steering', 'scoring_priorities']],

  // generate-premium-captions
  ['generate-premium-captions', 'replace_existing without upload', (b) => ({ parameters: { ...b, replace_existing: true, upload_to_mux: false } }), ['replace_existing']],
  ['generate-premium-captions', 'phrase of 6 words', (b) => ({ parameters: { ...b, phrases: ['one two three four five six'] } }), ['phrases']],
  ['generate-premium-captions', 'phrase of 50 chars', (b) => ({ parameters: { ...b, phrases: [long(50)] } }), ['phrases']],
  ['generate-premium-captions', 'phrase with a bracket', (b) => ({ parameters: { ...b, phrases: ['Mux [Video]'] } }), ['phrases']],
  ['generate-premium-captions', 'include_words not boolean', (b) => ({ parameters: { ...b, include_words: 'yes' } }), ['include_words']],

  // translate-audio
  ['translate-audio', 'to_language_code missing', (b) => ({ parameters: without(b, 'to_language_code') }), ['to_language_code']],
  ['translate-audio', 'upload_to_mux a string', (b) => ({ parameters: { ...b, upload_to_mux: 'true' } }), ['upload_to_mux']],
  ['translate-audio', 'asset_id empty', (b) => ({ parameters: { ...b, asset_id: '' } }), ['asset_id']],
];

test('the table has 40+ cases and at least two per workflow', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  for (const wf of WORKFLOWS) {
    assert.ok(cases.filter((c) => c[0] === wf).length >= 2, `${wf} has fewer than two cases`);
  }
});

for (const [wf, name, make, fields] of cases) {
  test(`${wf}: ${name} → 400 naming ${fields.join('.')}`, async () => {
    const body = make(base(wf));
    const r = await S.c.post(`/robots/v0/jobs/${wf}`, body);
    const e = errorBody(assert, r, 400, 'invalid_parameters');
    for (const f of fields) {
      assert.ok(e.message.includes(f), `message should name "${f}": ${e.message}`);
    }
  });
}

// Generated: every documented parameter of every workflow given values of
// the wrong JSON type must be refused with 400 naming the field.
const TYPES = {
  str: [5, true, [], {}],
  int: ['5', 1.5, true, [], {}],
  bool: ['true', 1, [], {}],
  arr: ['x', 5, {}],
  obj: ['x', 5, []],
};
const FIELDS = {
  summarize: { asset_id: 'str', tone: 'str', title_length: 'int', description_length: 'int', tag_count: 'int', language_code: 'str', output_language_code: 'str', output_steering: 'obj', prompt_overrides: 'obj', update_asset_meta: 'bool' },
  moderate: { asset_id: 'str', thresholds: 'obj', sampling_interval: 'int', max_samples: 'int', language_code: 'str', output_steering: 'obj', on_flagged: 'obj' },
  'generate-chapters': { asset_id: 'str', language_code: 'str', output_language_code: 'str', output_steering: 'obj', prompt_overrides: 'obj', update_asset_chapters: 'bool' },
  'ask-questions': { asset_id: 'str', questions: 'arr', language_code: 'str', max_free_form_answer_length: 'int', output_steering: 'obj' },
  'find-key-moments': { asset_id: 'str', max_moments: 'int', target_duration_ms: 'obj', use_shots: 'bool', output_steering: 'obj' },
  'translate-captions': { asset_id: 'str', track_id: 'str', to_language_code: 'str', upload_to_mux: 'bool', never_translate: 'arr' },
  'edit-captions': { asset_id: 'str', track_id: 'str', replacements: 'arr', speaker_replacements: 'arr', auto_censor_profanity: 'obj', upload_to_mux: 'bool', delete_original_track: 'bool', track_name_suffix: 'str' },
  'generate-engagement-insights': { asset_id: 'str' },
  'find-scenes': { asset_id: 'str', language_code: 'str', min_scenes: 'int', min_scene_duration_ms: 'int', output_steering: 'obj' },
  'find-best-thumbnails': { asset_id: 'str', max_thumbnails: 'int', update_asset_thumbnail: 'bool', output_steering: 'obj' },
  'generate-premium-captions': { asset_id: 'str', language_code: 'str', replace_existing: 'bool', track_name: 'str', include_speakers: 'bool', include_words: 'bool', upload_to_mux: 'bool', phrases: 'arr' },
  'translate-audio': { asset_id: 'str', to_language_code: 'str', upload_to_mux: 'bool' },
};

test('the type table covers all 12 workflows', () => {
  assert.deepEqual(Object.keys(FIELDS).sort(), [...WORKFLOWS].sort());
});

for (const [wf, fields] of Object.entries(FIELDS)) {
  for (const [field, type] of Object.entries(fields)) {
    test(`${wf}: ${field} of the wrong type (${type} expected) → 400`, async () => {
      for (const bad of TYPES[type]) {
        const r = await S.c.post(`/robots/v0/jobs/${wf}`, { parameters: { ...base(wf), [field]: bad } });
        const e = errorBody(assert, r, 400, 'invalid_parameters');
        assert.ok(e.message.includes(field), `${JSON.stringify(bad)}: message should name "${field}": ${e.message}`);
      }
    });
  }
}

test('the valid base bodies are accepted (202 or 501), so each case fails for its own reason', async () => {
  for (const wf of WORKFLOWS) {
    const r = await S.c.post(`/robots/v0/jobs/${wf}`, { parameters: base(wf) });
    const want = IMPLEMENTED.has(wf) ? 202 : 501;
    assert.equal(r.status, want, `${wf}: ${r.text}`);
  }
});

test('nothing was stored by the rejected requests', async () => {
  const r = await S.c.get('/robots/v0/jobs?limit=100');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total_row_count, IMPLEMENTED.size, 'only the valid base jobs');
});
