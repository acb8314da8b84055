#!/usr/bin/env node
// score.mjs — measures the AI engine of the real `robots` binary against the
// hand-written evaluation set in tests/eval/set/ (see README.md there).
//
// For every transcript it creates a captions-only asset, runs
// generate-chapters, summarize (tag_count 10) and ask-questions (all of the
// transcript's questions in one job), and compares the outputs with the
// ground truth: chapter-boundary F1 within ±20 s, tag hit rate and keyword
// recall, yes/no accuracy, skip correctness, false skips, multiple-choice
// accuracy. The set is fixed; this file only measures.
//
// Usage:
//   node tests/eval/score.mjs [--engine builtin|openai] [--json FILE]
//                             [--no-targets] [--details] [--only NAME[,NAME]]
// ROBOTS_BIN chooses the binary (see tests/blackbox/lib.mjs). --engine openai
// starts the server with ROBOTS_AI=openai; the ROBOTS_OPENAI_* variables of
// the calling shell pass through unchanged.
//
// Exit status: 0 when every target is met (or --no-targets), 1 when a target
// is missed or a workflow was unavailable, 2 when the harness itself failed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BIN, startServer, createToken, createCaptionsAsset, client, waitJob, tempDir, sleep,
} from '../blackbox/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SET_DIR = path.join(here, 'set');

// Targets for the builtin engine (issue 4, point 5).
export const TARGETS = { chapter_f1: 0.7, tag_hit_rate: 0.5, yes_no_accuracy: 0.8 };
export const TOLERANCE_S = 20;

// ---------------------------------------------------------------- metrics --

// Greedy one-to-one matching of predicted and true boundaries: all pairs
// within the tolerance, closest first; each boundary is used at most once.
export function matchBoundaries(pred, truth, tol = TOLERANCE_S) {
  const pairs = [];
  pred.forEach((p, i) => truth.forEach((t, j) => {
    const d = Math.abs(p - t);
    if (d <= tol) pairs.push({ i, j, d });
  }));
  pairs.sort((a, b) => a.d - b.d || a.i - b.i || a.j - b.j);
  const usedP = new Set();
  const usedT = new Set();
  const matches = [];
  for (const m of pairs) {
    if (usedP.has(m.i) || usedT.has(m.j)) continue;
    usedP.add(m.i);
    usedT.add(m.j);
    matches.push(m);
  }
  return matches;
}

// precision/recall/F1 from counts. An empty prediction against an empty truth
// is perfect; an empty side against a non-empty one scores 0.
export function prf(tp, nPred, nTruth) {
  const precision = nPred === 0 ? (nTruth === 0 ? 1 : 0) : tp / nPred;
  const recall = nTruth === 0 ? (nPred === 0 ? 1 : 0) : tp / nTruth;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

// Boundaries are chapter starts other than 0 (the first chapter always starts
// at 0, so it carries no information).
export function boundaries(starts) {
  return [...new Set(starts.filter((s) => typeof s === 'number' && s > 0.5))].sort((a, b) => a - b);
}

// Function words ignored when comparing a tag with a keyword (so "treaty of
// stralsund" and "treaty stralsund" are the same phrase). Only articles,
// prepositions and conjunctions of the set's languages (en, fr, es, de); no
// content words.
const FUNCTION_WORDS = new Set([
  // en
  'a', 'an', 'the', 'of', 'and', 'or', 'to', 'in', 'on', 'for', 'with', 'at', 'by', 'from',
  // fr
  'le', 'la', 'les', 'l', 'un', 'une', 'des', 'de', 'du', 'd', 'et', 'ou', 'au', 'aux', 'en',
  'pour', 'sur', 'avec',
  // es
  'el', 'los', 'las', 'una', 'unos', 'unas', 'del', 'al', 'y', 'o', 'con', 'por', 'para',
  // de
  'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'einem', 'einer', 'eines',
  'und', 'oder', 'von', 'vom', 'zu', 'zum', 'zur', 'mit', 'im', 'am', 'auf', 'für', 'bei',
]);

// A phrase's comparable words: lower-cased, accents removed, split on
// anything that is not a letter or digit, function words and one-letter
// tokens dropped, and one plural "s" stripped from words of 4+ letters that
// do not end in "ss".
export function phraseWords(s) {
  const norm = String(s).normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  const out = new Set();
  for (let w of norm.split(/[^\p{L}\p{N}]+/u)) {
    if (!w || FUNCTION_WORDS.has(w)) continue;
    if (w.length < 2 && !/\d/.test(w)) continue;
    if (w.length >= 4 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
    out.add(w);
  }
  return out;
}

function containsAll(big, small) {
  for (const w of small) if (!big.has(w)) return false;
  return true;
}

// A tag matches a keyword when the tag's words contain all of the keyword's
// words, or the keyword's words contain all of the tag's words.
export function tagMatches(tag, keyword) {
  const a = phraseWords(tag);
  const b = phraseWords(keyword);
  if (a.size === 0 || b.size === 0) return false;
  return containsAll(a, b) || containsAll(b, a);
}

export function scoreTags(tags, keywords) {
  const hitTags = tags.filter((t) => keywords.some((k) => tagMatches(t, k)));
  const hitKeywords = keywords.filter((k) => tags.some((t) => tagMatches(t, k)));
  return {
    tags: tags.length, tag_hits: hitTags.length,
    keywords: keywords.length, keyword_hits: hitKeywords.length,
    missed_tags: tags.filter((t) => !hitTags.includes(t)),
    missed_keywords: keywords.filter((k) => !hitKeywords.includes(k)),
  };
}

function norm(s) {
  return typeof s === 'string' ? s.trim().toLowerCase() : s;
}

// Compares the answers of one ask-questions job with the truth, in order.
export function scoreAnswers(questions, answers) {
  const r = {
    yn: 0, yn_correct: 0, unanswerable: 0, skipped_unanswerable: 0,
    answerable: 0, false_skips: 0, mc: 0, mc_correct: 0, misses: [],
  };
  questions.forEach((q, i) => {
    const a = answers[i] || {};
    const skipped = a.skipped === true || a.answer === null || a.answer === undefined;
    const given = skipped ? null : a.answer;
    let ok;
    if (q.answer === null) {
      r.unanswerable++;
      ok = skipped;
      if (ok) r.skipped_unanswerable++;
    } else {
      r.answerable++;
      if (skipped) r.false_skips++;
      if (q.answer_options) {
        r.mc++;
        ok = !skipped && given === q.answer;
        if (ok) r.mc_correct++;
      } else {
        r.yn++;
        ok = !skipped && norm(given) === q.answer;
        if (ok) r.yn_correct++;
      }
    }
    if (!ok) {
      r.misses.push({ question: q.question, expected: q.answer, got: given,
        skipped, confidence: a.confidence, reasoning: a.reasoning });
    }
  });
  return r;
}

// ------------------------------------------------------------- the harness --

export function loadSet(dir = SET_DIR, only = null) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const items = [];
  for (const f of files) {
    const name = path.basename(f, '.json');
    if (only && !only.includes(name)) continue;
    const truth = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    const vtt = fs.readFileSync(path.join(dir, truth.vtt), 'utf8');
    items.push({ name, truth, vtt });
  }
  return items;
}

// POST a job, retrying a 429 after Retry-After. Returns {job} or
// {unavailable: status} (501) or {error: text}.
async function createJob(c, workflow, parameters) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = await c.post(`/robots/v0/jobs/${workflow}`, { parameters });
    if (r.status === 202 && r.json?.data?.id) return { job: r.json.data };
    if (r.status === 429) {
      const s = Number(r.headers.get('retry-after')) || 1;
      await sleep(Math.min(10, s) * 1000);
      continue;
    }
    if (r.status === 501) return { unavailable: 501 };
    return { error: `create answered ${r.status}: ${r.text.slice(0, 300)}` };
  }
  return { error: 'create kept answering 429' };
}

async function runJob(c, workflow, parameters, timeout) {
  const created = await createJob(c, workflow, parameters);
  if (!created.job) return created;
  const t0 = Date.now();
  let job;
  try {
    job = await waitJob(c, workflow, created.job.id, { timeout });
  } catch (e) {
    return { error: e.message };
  }
  const ms = Date.now() - t0;
  if (job.status !== 'completed') {
    return { error: `job ${job.status}: ${JSON.stringify(job.error ?? job.errors ?? null).slice(0, 300)}`, ms };
  }
  return { outputs: job.outputs ?? {}, ms };
}

function questionParams(q) {
  const p = { question: q.question };
  if (q.answer_options) p.answer_options = q.answer_options;
  return p;
}

export async function evaluateOne(c, item, timeout) {
  const { truth } = item;
  const id = item.asset.id;
  const [ch, su, aq] = await Promise.all([
    runJob(c, 'generate-chapters', { asset_id: id }, timeout),
    runJob(c, 'summarize', { asset_id: id, tag_count: 10 }, timeout),
    runJob(c, 'ask-questions', { asset_id: id, questions: truth.questions.map(questionParams) }, timeout),
  ]);
  const res = { name: item.name, language: truth.language, runs: { ch, su, aq } };

  if (ch.outputs) {
    const chapters = Array.isArray(ch.outputs.chapters) ? ch.outputs.chapters : [];
    const pred = boundaries(chapters.map((x) => x.start_time));
    const gold = boundaries(truth.chapters);
    const m = matchBoundaries(pred, gold);
    res.chapters = {
      tp: m.length, pred: pred.length, truth: gold.length, ...prf(m.length, pred.length, gold.length),
      mean_offset_s: m.length ? m.reduce((s, x) => s + x.d, 0) / m.length : null,
      predicted: pred, expected: gold,
    };
  }
  if (su.outputs) {
    const tags = Array.isArray(su.outputs.tags) ? su.outputs.tags.filter((t) => typeof t === 'string') : [];
    res.tags = { ...scoreTags(tags, truth.keywords), returned: tags };
    res.title = su.outputs.title;
  }
  if (aq.outputs) {
    const answers = Array.isArray(aq.outputs.answers) ? aq.outputs.answers : [];
    if (answers.length !== truth.questions.length) {
      aq.error = `ask-questions returned ${answers.length} answers for ${truth.questions.length} questions`;
    }
    const mismatched = answers.findIndex((a, i) => truth.questions[i] && a.question !== truth.questions[i].question);
    if (mismatched >= 0) aq.warning = `answer ${mismatched} does not echo its question`;
    res.questions = scoreAnswers(truth.questions, answers);
  }
  return res;
}

function ratio(a, b) {
  return b === 0 ? null : a / b;
}

export function totals(results) {
  const sum = (f) => results.reduce((s, r) => s + (f(r) ?? 0), 0);
  const withCh = results.filter((r) => r.chapters);
  const withTags = results.filter((r) => r.tags);
  const withQ = results.filter((r) => r.questions);
  const ch = prf(sum((r) => r.chapters?.tp), sum((r) => r.chapters?.pred), sum((r) => r.chapters?.truth));
  return {
    transcripts: results.length,
    chapters: withCh.length === 0 ? null : {
      precision: ch.precision, recall: ch.recall, f1: ch.f1,
      tp: sum((r) => r.chapters?.tp), predicted: sum((r) => r.chapters?.pred),
      expected: sum((r) => r.chapters?.truth), transcripts: withCh.length,
    },
    tags: withTags.length === 0 ? null : {
      tag_hit_rate: ratio(sum((r) => r.tags?.tag_hits), sum((r) => r.tags?.tags)),
      keyword_recall: ratio(sum((r) => r.tags?.keyword_hits), sum((r) => r.tags?.keywords)),
      tags: sum((r) => r.tags?.tags), tag_hits: sum((r) => r.tags?.tag_hits),
      keywords: sum((r) => r.tags?.keywords), keyword_hits: sum((r) => r.tags?.keyword_hits),
      transcripts: withTags.length,
    },
    questions: withQ.length === 0 ? null : {
      yes_no_accuracy: ratio(sum((r) => r.questions?.yn_correct), sum((r) => r.questions?.yn)),
      skip_correctness: ratio(sum((r) => r.questions?.skipped_unanswerable), sum((r) => r.questions?.unanswerable)),
      false_skip_rate: ratio(sum((r) => r.questions?.false_skips), sum((r) => r.questions?.answerable)),
      mc_accuracy: ratio(sum((r) => r.questions?.mc_correct), sum((r) => r.questions?.mc)),
      yes_no: sum((r) => r.questions?.yn), yes_no_correct: sum((r) => r.questions?.yn_correct),
      unanswerable: sum((r) => r.questions?.unanswerable),
      skipped_unanswerable: sum((r) => r.questions?.skipped_unanswerable),
      answerable: sum((r) => r.questions?.answerable), false_skips: sum((r) => r.questions?.false_skips),
      mc: sum((r) => r.questions?.mc), mc_correct: sum((r) => r.questions?.mc_correct),
      transcripts: withQ.length,
    },
  };
}

// Which targets are missed: a list of human-readable reasons (empty = all met).
export function missedTargets(t, availability) {
  const out = [];
  const check = (label, v, min) => {
    if (v === null || v === undefined) out.push(`${label}: not measured`);
    else if (v < min) out.push(`${label} ${pct(v)} < target ${pct(min)}`);
  };
  for (const [wf, a] of Object.entries(availability)) {
    if (a !== 'ok') out.push(`${wf}: ${a}`);
  }
  check('chapter F1', t.chapters?.f1, TARGETS.chapter_f1);
  check('tag hit rate', t.tags?.tag_hit_rate, TARGETS.tag_hit_rate);
  check('yes/no accuracy', t.questions?.yes_no_accuracy, TARGETS.yes_no_accuracy);
  return out;
}

function pct(v) {
  return v === null || v === undefined ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`;
}

function frac(a, b) {
  return b === undefined || b === null ? '-' : `${a}/${b}`;
}

function status(run) {
  if (!run) return '-';
  if (run.unavailable) return `n/a (${run.unavailable})`;
  if (run.error) return 'error';
  return 'ok';
}

// Summarizes how each workflow fared over the set: "ok", or why not.
export function availabilityOf(results) {
  const wfs = { 'generate-chapters': 'ch', summarize: 'su', 'ask-questions': 'aq' };
  const out = {};
  for (const [wf, k] of Object.entries(wfs)) {
    const runs = results.map((r) => r.runs[k]);
    if (runs.every((x) => x.unavailable)) out[wf] = `not available (${runs[0].unavailable})`;
    else {
      const bad = runs.filter((x) => x.unavailable || x.error);
      out[wf] = bad.length === 0 ? 'ok'
        : `${bad.length}/${runs.length} failed (first: ${bad[0].error ?? `not available (${bad[0].unavailable})`})`;
    }
  }
  return out;
}

function printTable(results, t, availability, engine, elapsed) {
  const rows = [['transcript', 'lang', 'ch P', 'ch R', 'ch F1', 'bounds', 'tags hit', 'kw recall',
    'yes/no', 'skip ok', 'false skip', 'mc']];
  for (const r of results) {
    const c = r.chapters;
    const g = r.tags;
    const q = r.questions;
    rows.push([
      r.name, r.language,
      c ? pct(c.precision) : status(r.runs.ch), c ? pct(c.recall) : '', c ? pct(c.f1) : '',
      c ? `${c.tp}/${c.pred}/${c.truth}` : '',
      g ? `${pct(ratio(g.tag_hits, g.tags))} ${frac(g.tag_hits, g.tags)}` : status(r.runs.su),
      g ? frac(g.keyword_hits, g.keywords) : '',
      q ? `${pct(ratio(q.yn_correct, q.yn))} ${frac(q.yn_correct, q.yn)}` : status(r.runs.aq),
      q ? frac(q.skipped_unanswerable, q.unanswerable) : '',
      q ? frac(q.false_skips, q.answerable) : '',
      q ? frac(q.mc_correct, q.mc) : '',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((x, i) => String(x).padEnd(widths[i])).join('  ');
  console.log(`\nEvaluation set: ${results.length} transcripts, engine ${engine}, binary ${BIN}`);
  console.log('(bounds = matched/predicted/true boundaries within ±20 s)\n');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('\nTotals (micro-averaged over the set):');
  for (const [wf, a] of Object.entries(availability)) {
    if (a !== 'ok') console.log(`  ${wf}: ${a}`);
  }
  if (t.chapters) {
    console.log(`  chapters   precision ${pct(t.chapters.precision)}  recall ${pct(t.chapters.recall)}  ` +
      `F1 ${pct(t.chapters.f1)}  (${t.chapters.tp} matched, ${t.chapters.predicted} predicted, ` +
      `${t.chapters.expected} true)   target F1 ≥ ${pct(TARGETS.chapter_f1)}`);
  }
  if (t.tags) {
    console.log(`  tags       hit rate ${pct(t.tags.tag_hit_rate)} (${t.tags.tag_hits}/${t.tags.tags})  ` +
      `keyword recall ${pct(t.tags.keyword_recall)} (${t.tags.keyword_hits}/${t.tags.keywords})` +
      `   target hit rate ≥ ${pct(TARGETS.tag_hit_rate)}`);
  }
  if (t.questions) {
    const q = t.questions;
    console.log(`  questions  yes/no ${pct(q.yes_no_accuracy)} (${q.yes_no_correct}/${q.yes_no})  ` +
      `skip correctness ${pct(q.skip_correctness)} (${q.skipped_unanswerable}/${q.unanswerable})  ` +
      `false skips ${pct(q.false_skip_rate)} (${q.false_skips}/${q.answerable})  ` +
      `multiple choice ${pct(q.mc_accuracy)} (${q.mc_correct}/${q.mc})   target yes/no ≥ ${pct(TARGETS.yes_no_accuracy)}`);
  }
  console.log(`  wall time ${(elapsed / 1000).toFixed(1)} s`);
}

const WF_OF = { ch: 'generate-chapters', su: 'summarize', aq: 'ask-questions' };

function printDetails(results) {
  for (const r of results) {
    console.log(`\n== ${r.name}`);
    for (const [k, run] of Object.entries(r.runs)) {
      if (run.error) console.log(`  ${WF_OF[k]}: ERROR ${run.error}`);
      if (run.warning) console.log(`  ${WF_OF[k]}: warning ${run.warning}`);
    }
    if (r.chapters) {
      console.log(`  chapters predicted ${JSON.stringify(r.chapters.predicted.map((x) => Math.round(x)))}` +
        ` expected ${JSON.stringify(r.chapters.expected.map((x) => Math.round(x)))}`);
    }
    if (r.tags) {
      console.log(`  title: ${r.title}`);
      console.log(`  tags: ${JSON.stringify(r.tags.returned)}`);
      console.log(`  unmatched tags: ${JSON.stringify(r.tags.missed_tags)}; keywords not hit: ${JSON.stringify(r.tags.missed_keywords)}`);
    }
    for (const m of r.questions?.misses ?? []) {
      console.log(`  Q ${JSON.stringify(m.question)} expected ${JSON.stringify(m.expected)} got ` +
        `${m.skipped ? 'skipped' : JSON.stringify(m.got)} (conf ${m.confidence})`);
    }
  }
}

function parseArgs(argv) {
  const o = { engine: 'builtin', json: null, targets: true, details: false, only: null, timeout: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--engine') o.engine = val();
    else if (a === '--json') o.json = val();
    else if (a === '--no-targets') o.targets = false;
    else if (a === '--details') o.details = true;
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--timeout') o.timeout = Number(val()) * 1000;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node tests/eval/score.mjs [--engine builtin|openai] [--json FILE] ' +
        '[--no-targets] [--details] [--only NAME,...] [--timeout SECONDS]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!['builtin', 'openai'].includes(o.engine)) throw new Error(`--engine must be builtin or openai`);
  o.timeout ??= o.engine === 'openai' ? 600000 : 30000;
  return o;
}

export async function main(argv) {
  const opts = parseArgs(argv);
  const items = loadSet(SET_DIR, opts.only);
  if (items.length === 0) throw new Error('no transcripts selected');
  if (!fs.existsSync(BIN)) {
    throw new Error(`the robots binary ${BIN} does not exist: build it, or set ROBOTS_BIN`);
  }
  const t0 = Date.now();
  const dataDir = tempDir('robots-eval-');
  const token = createToken(dataDir, 'main');
  for (const it of items) it.asset = createCaptionsAsset(dataDir, 'main', it.vtt, it.truth.language);
  const server = await startServer({ dataDir, env: { ROBOTS_AI: opts.engine } });
  let results;
  try {
    const c = client(server, token);
    results = await Promise.all(items.map((it) => evaluateOne(c, it, opts.timeout)));
  } finally {
    await server.stop().catch((e) => console.error(`warning: ${e.message.split('\n')[0]}`));
  }
  const elapsed = Date.now() - t0;
  const t = totals(results);
  const availability = availabilityOf(results);
  printTable(results, t, availability, opts.engine, elapsed);
  if (opts.details) printDetails(results);
  const missed = missedTargets(t, availability);
  const report = {
    engine: opts.engine, binary: BIN, transcripts: items.map((i) => i.name), elapsed_ms: elapsed,
    availability, totals: t, targets: TARGETS, targets_met: missed.length === 0, missed,
    per_transcript: results.map((r) => ({
      name: r.name, language: r.language,
      chapters: r.chapters ? { precision: r.chapters.precision, recall: r.chapters.recall, f1: r.chapters.f1,
        tp: r.chapters.tp, predicted: r.chapters.predicted, expected: r.chapters.expected } : null,
      tags: r.tags ? { returned: r.tags.returned, tag_hits: r.tags.tag_hits, keyword_hits: r.tags.keyword_hits,
        keywords: r.tags.keywords } : null,
      questions: r.questions ? { ...r.questions } : null,
      errors: Object.fromEntries(Object.entries(r.runs).filter(([, v]) => v.error || v.unavailable)
        .map(([k, v]) => [WF_OF[k], v.error ?? `not available (${v.unavailable})`])),
    })),
  };
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
  if (missed.length) {
    console.log(`\n${opts.targets ? 'TARGETS MISSED' : 'targets missed (not enforced)'}: ${missed.join('; ')}`);
  } else {
    console.log('\nall targets met');
  }
  return opts.targets && missed.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(`score.mjs: ${e.stack || e.message}`);
    process.exit(2);
  });
}
