// ask_questions.test.mjs — the ask-questions workflow end to end on the
// builtin engine (spec §5.4): a 3-minute tour of a bicycle repair shop with
// clear facts, so each answer is concrete — a yes, a no stated as a negation,
// a multiple-choice answer, a free-form answer holding a fact, an unrelated
// question that is skipped — plus the outputs' invariants, answer order and
// echo, the free-form cap, scope, an asset whose caption track was deleted
// (every question skipped), and the parameter rules the API enforces at
// create time (400 naming the field).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createCaptionsAsset, errorBody, setup, textTrack, waitJob } from './lib.mjs';

const CUES = [
  "Hi, I'm Marta, and welcome to Spoke and Chain, our little bicycle repair shop.",
  "Today I'll show you around the workshop and answer the questions we hear most.",
  "We opened the shop in 2012, in an old bakery on the river street.",
  "Back then it was just me and one workbench.",
  "Now there are four mechanics and six workbenches.",
  "Most of our work is city bikes and road bikes.",
  "We repair electric bikes too, mostly their motors and batteries.",
  "Electric bikes are now about a third of everything we fix.",
  "Let's start with the most popular service, the basic tune-up.",
  "A basic tune-up costs forty five dollars.",
  "It includes adjusting the brakes and the gears, and truing both wheels.",
  "We also clean and lubricate the chain.",
  "A full overhaul takes the whole bike apart and costs more.",
  "People often ask if they need an appointment.",
  "For a tune-up you can just walk in during the morning.",
  "We are open from Monday to Saturday, eight in the morning to six in the evening.",
  "The shop is not open on Sundays.",
  "Sunday is the day the whole team goes riding together.",
  "Over here is the wheel building station.",
  "Every wheel is trued by hand on this stand.",
  "Building a wheel from scratch takes about two hours.",
  "We use steel spokes from a small factory in Germany.",
  "Next to it is the parts wall.",
  "We keep tires, tubes, cables and brake pads for most common sizes.",
  "We do not sell new bicycles.",
  "We only sell parts and accessories, and we repair what people already own.",
  "That keeps old bikes on the road and out of the landfill.",
  "Now the question everyone asks: how long does a repair take?",
  "Most repairs are done the same day.",
  "If a part has to be ordered, it usually arrives within three days.",
  "We send a text message when the bike is ready.",
  "Our favourite repair last year was a 1975 racing bike.",
  "The owner had found it in her grandfather's barn.",
  "It needed new tires, new brake cables and a lot of patience.",
  "Now she rides it to work every day.",
  "Before you go, one tip for your own bike.",
  "Check your tire pressure every week.",
  "Soft tires wear out faster and make every ride harder.",
  "Thanks for watching, and see you at the shop.",
  "Ride safe, everyone.",
];
const STEP = 4500;
const ts = (ms) => {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3600000))}:${p(Math.floor(ms / 60000) % 60)}:${p(Math.floor(ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
};
const TOUR_VTT = ['WEBVTT', '', ...CUES.flatMap((c, i) => [`${ts(i * STEP)} --> ${ts((i + 1) * STEP)}`, c, ''])].join('\n');
const at = (cue) => {
  const s = Math.floor((CUES.indexOf(cue) * STEP) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

const QUESTIONS = [
  { question: 'Does the shop repair electric bikes?' },
  { question: 'Is the shop open on Sundays?' },
  { question: 'In which year did the shop open?', answer_options: ['2009', '2012', '2015', '2018'] },
  { question: 'How much does a basic tune-up cost?', free_form_reply: true },
  { question: 'Does the owner play the piano in a jazz band?' },
  { question: 'Does the shop sell new bicycles?', answer_options: ['Yes', 'No'] },
];

let S;
let asset;
let seq = 0;

before(async () => {
  S = await setup({ nAssets: 0, workers: 2 });
  asset = createCaptionsAsset(S.dataDir, 'main', TOUR_VTT);
});

after(async () => { await S?.server.stop(); });

async function run(params, { status = 'completed' } = {}) {
  // A unique passthrough keeps otherwise identical requests distinct jobs.
  const r = await S.c.post('/robots/v0/jobs/ask-questions', { parameters: params, passthrough: `aq-${seq++}` });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.data.workflow, 'ask-questions');
  const job = await waitJob(S.c, 'ask-questions', r.json.data.id, { timeout: 20000 });
  assert.equal(job.status, status, JSON.stringify(job));
  return job;
}

// Every invariant of §5.4's outputs table.
function check(o, questions, maxLen = 500) {
  assert.deepEqual(Object.keys(o), ['answers'], JSON.stringify(o));
  assert.equal(o.answers.length, questions.length);
  o.answers.forEach((a, i) => {
    assert.deepEqual(Object.keys(a), ['question', 'answer', 'confidence', 'reasoning', 'skipped']);
    assert.equal(a.question, questions[i].question, 'same order, question echoed');
    assert.equal(typeof a.reasoning, 'string');
    assert.ok(a.reasoning.length > 0);
    assert.equal(typeof a.skipped, 'boolean');
    assert.equal(typeof a.confidence, 'number');
    assert.ok(a.confidence >= 0 && a.confidence <= 1, `confidence ${a.confidence}`);
    if (a.skipped) {
      assert.equal(a.answer, null);
      assert.equal(a.confidence, 0);
      return;
    }
    assert.equal(typeof a.answer, 'string');
    const q = questions[i];
    if (q.free_form_reply) {
      assert.ok([...a.answer].length <= maxLen, `free answer of ${[...a.answer].length} chars`);
    } else {
      assert.ok((q.answer_options ?? ['yes', 'no']).includes(a.answer), `answer ${a.answer}`);
    }
  });
}

describe('ask-questions on the builtin engine', () => {
  test('concrete answers: yes, negated no, choice, free-form fact, skip', async () => {
    const job = await run({ asset_id: asset.id, questions: QUESTIONS });
    check(job.outputs, QUESTIONS);
    const [repair, sunday, year, price, piano, sell] = job.outputs.answers;

    assert.equal(repair.answer, 'yes');
    assert.ok(repair.confidence > 0.7, `confidence ${repair.confidence}`);
    assert.equal(repair.reasoning,
      `At ${at(CUES[6])}: "We repair electric bikes too, mostly their motors and batteries."`);

    assert.equal(sunday.answer, 'no');
    assert.match(sunday.reasoning, new RegExp(`At ${at(CUES[16])}: "The shop is not open on Sundays\\."`));
    assert.match(sunday.reasoning, /negated \("not"\)/);

    assert.equal(year.answer, '2012');
    assert.match(year.reasoning, /We opened the shop in 2012/);

    assert.equal(price.skipped, false);
    assert.match(price.answer, /forty five dollars/);
    assert.ok(price.answer.includes(CUES[9]), 'the answer quotes the cue verbatim');

    assert.equal(piano.skipped, true);
    assert.equal(piano.answer, null);
    assert.equal(piano.confidence, 0);
    assert.match(piano.reasoning, /piano/);

    // A yes/no pair given as options keeps its spelling.
    assert.equal(sell.answer, 'No');
    assert.match(sell.reasoning, /We do not sell new bicycles/);

    // No side effect: the asset's tracks are unchanged.
    const a = await S.c.get(`/video/v1/assets/${asset.id}`);
    assert.equal(a.status, 200);
    assert.equal(a.json.data.tracks.filter((t) => t.type === 'text').length, 1);
  });

  test('max_free_form_answer_length cuts on a word boundary', async () => {
    const qs = [{ question: 'What does a basic tune-up include?', free_form_reply: true }];
    const job = await run({ asset_id: asset.id, questions: qs, max_free_form_answer_length: 40 });
    check(job.outputs, qs, 40);
    const ans = job.outputs.answers[0].answer;
    // The evidence is the tune-up's sentence and the next one, which adds
    // "includes"; verbatim, cut at 40 characters back to a space.
    const full = `${CUES[9]} ${CUES[10]}`;
    assert.equal(ans, 'A basic tune-up costs forty five');
    assert.ok(full.startsWith(ans) && full[ans.length] === ' ', `"${ans}" is a prefix of the cues`);
  });

  test('scope: only the window is read, times stay absolute', async () => {
    // [60 s, 90 s) holds cues 14-19: the opening hours are inside, the
    // opening year (cue 2, 9 s) is not.
    const qs = [
      { question: 'Is the shop open on Sundays?' },
      { question: 'In which year did the shop open?', answer_options: ['2009', '2012'] },
    ];
    const job = await run({ asset_id: asset.id, questions: qs, output_steering: { scope: { start_time: 60, end_time: 90 } } });
    check(job.outputs, qs);
    assert.equal(job.outputs.answers[0].answer, 'no');
    assert.match(job.outputs.answers[0].reasoning, new RegExp(`At ${at(CUES[16])}:`));
    assert.equal(job.outputs.answers[1].skipped, true);
  });

  test('fifty questions are answered in order', async () => {
    const qs = Array.from({ length: 50 }, (_, i) => (i % 2
      ? { question: `Question ${i}: does the shop repair electric bikes?` }
      : { question: `Question ${i}: is there a swimming pool on the roof?` }));
    const job = await run({ asset_id: asset.id, questions: qs });
    check(job.outputs, qs);
    job.outputs.answers.forEach((a, i) => {
      if (i % 2) assert.equal(a.answer, 'yes', a.question);
      else assert.equal(a.skipped, true, a.question);
    });
  });

  test('no caption track: every question skipped, the job completes', async () => {
    const bare = createCaptionsAsset(S.dataDir, 'main', TOUR_VTT);
    const del = await S.c.del(`/video/v1/assets/${bare.id}/tracks/${textTrack(bare).id}`);
    assert.ok(del.status === 204 || del.status === 200, del.text);
    const qs = [{ question: 'Is the shop open on Sundays?' }, { question: 'Why?', free_form_reply: true }];
    const job = await run({ asset_id: bare.id, questions: qs });
    check(job.outputs, qs);
    for (const a of job.outputs.answers) {
      assert.equal(a.skipped, true);
      assert.match(a.reasoning, /no transcript/);
    }
  });
});

describe('ask-questions parameter rules (400 naming the field)', () => {
  const long = (n) => 'x'.repeat(n);
  const bad = (name, params, field) => test(name, async () => {
    const r = await S.c.post('/robots/v0/jobs/ask-questions', { parameters: { asset_id: asset.id, questions: [{ question: 'Is it open?' }], ...params } });
    const e = errorBody(assert, r, 400);
    assert.match(e.message, new RegExp(field), e.message);
  });
  bad('questions missing', { questions: undefined }, 'questions');
  bad('questions empty', { questions: [] }, 'questions');
  bad('51 questions', { questions: Array.from({ length: 51 }, (_, i) => ({ question: `q${i}?` })) }, 'questions');
  bad('question empty', { questions: [{ question: '' }] }, 'question');
  bad('question over 600 characters', { questions: [{ question: long(601) }] }, 'question');
  bad('question not a string', { questions: [{ question: 7 }] }, 'question');
  bad('answer_options with free_form_reply', { questions: [{ question: 'Why?', answer_options: ['a'], free_form_reply: true }] }, 'free_form_reply');
  bad('answer_options empty', { questions: [{ question: 'Why?', answer_options: [] }] }, 'answer_options');
  bad('answer option empty', { questions: [{ question: 'Why?', answer_options: [''] }] }, 'answer_options');
  bad('answer option over 150 characters', { questions: [{ question: 'Why?', answer_options: [long(151)] }] }, 'answer_options');
  bad('free_form_reply not a boolean', { questions: [{ question: 'Why?', free_form_reply: 'yes' }] }, 'free_form_reply');
  bad('max_free_form_answer_length 0', { max_free_form_answer_length: 0 }, 'max_free_form_answer_length');
  bad('max_free_form_answer_length 1001', { max_free_form_answer_length: 1001 }, 'max_free_form_answer_length');
  bad('max_free_form_answer_length not an integer', { max_free_form_answer_length: 2.5 }, 'max_free_form_answer_length');
  bad('language_code empty', { language_code: '' }, 'language_code');
  bad('scope start after end', { output_steering: { scope: { start_time: 50, end_time: 10 } } }, 'scope|start_time');
  bad('scope negative start', { output_steering: { scope: { start_time: -1 } } }, 'start_time');
  bad('output_language_code is not a parameter', { output_language_code: 'fr' }, 'output_language_code');
  bad('unknown steering key', { output_steering: { tone: 'playful' } }, 'tone');

  test('answer_options with free_form_reply false is accepted', async () => {
    const qs = [{ question: 'In which year did the shop open?', answer_options: ['2012', '2015'], free_form_reply: false }];
    const job = await run({ asset_id: asset.id, questions: qs });
    check(job.outputs, qs);
    assert.equal(job.outputs.answers[0].answer, '2012');
  });
});
