#!/usr/bin/env node
// holdout/score.mjs — scores the `robots` binary on the held-out set (set/ next
// to this file, never used for tuning) with the exported functions of
// ../score.mjs, so the ruler is exactly the development
// set's: chapter F1 (±20 s), tag hit rate / keyword recall, yes/no accuracy,
// skip correctness, false skips, multiple choice. score.mjs has no option for
// another set directory, so this file does the harness part (assets, server,
// jobs) with the same helpers and prints the same totals.
//
// Before scoring the default set it checks truth.sha256, so a run on an edited
// ground truth cannot pass silently.
//
// Usage:
//   ROBOTS_BIN=build/robots node tests/eval/holdout/score.mjs \
//       [--bin PATH] [--set DIR] [--engine builtin|openai] [--json FILE]
//       [--details] [--only NAME,...] [--timeout SECONDS] [--eval-dir DIR]
// --eval-dir points at the tests/eval directory whose score.mjs is used
// (default: the directory above this one). Exit 0 on a complete run (targets are
// reported, not enforced), 2 when the harness failed or the truth changed.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = { set: path.join(here, 'set'), engine: 'builtin', json: null, details: false, only: null,
    timeout: null, bin: null, evalDir: path.join(here, '..') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--set') o.set = path.resolve(val());
    else if (a === '--engine') o.engine = val();
    else if (a === '--json') o.json = val();
    else if (a === '--details') o.details = true;
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--timeout') o.timeout = Number(val()) * 1000;
    else if (a === '--bin') o.bin = path.resolve(val());
    else if (a === '--eval-dir') o.evalDir = path.resolve(val());
    else throw new Error(`unknown argument ${a}`);
  }
  o.timeout ??= o.engine === 'openai' ? 600000 : 30000;
  return o;
}

// Verifies every line of truth.sha256 (paths relative to this directory).
function checkFrozen() {
  const file = path.join(here, 'truth.sha256');
  const bad = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const [sum, rel] = line.split(/\s+\*?/);
    const got = crypto.createHash('sha256').update(fs.readFileSync(path.join(here, rel))).digest('hex');
    if (got !== sum) bad.push(rel);
  }
  return bad;
}

const pct = (v) => (v === null || v === undefined ? '  -  ' : `${(v * 100).toFixed(1)}%`);
const frac = (a, b) => `${a}/${b}`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.bin) process.env.ROBOTS_BIN = opts.bin;
  if (opts.set === path.join(here, 'set')) {
    const bad = checkFrozen();
    if (bad.length) throw new Error(`ground truth changed since it was frozen: ${bad.join(', ')}`);
  }
  // Imported only now so that ROBOTS_BIN (read when lib.mjs loads) is set.
  const S = await import(pathToFileURL(path.join(opts.evalDir, 'score.mjs')).href);
  const L = await import(pathToFileURL(path.join(opts.evalDir, '..', 'blackbox', 'lib.mjs')).href);

  const items = S.loadSet(opts.set, opts.only);
  if (items.length === 0) throw new Error(`no transcripts in ${opts.set}`);
  const t0 = Date.now();
  const dataDir = L.tempDir('robots-holdout-');
  const token = L.createToken(dataDir, 'main');
  for (const it of items) it.asset = L.createCaptionsAsset(dataDir, 'main', it.vtt, it.truth.language);
  const server = await L.startServer({ dataDir, env: { ROBOTS_AI: opts.engine } });
  let results;
  try {
    const c = L.client(server, token);
    results = await Promise.all(items.map((it) => S.evaluateOne(c, it, opts.timeout)));
  } finally {
    await server.stop().catch((e) => console.error(`warning: ${e.message.split('\n')[0]}`));
  }
  const t = S.totals(results);
  const availability = S.availabilityOf(results);

  console.log(`Held-out set 2: ${results.length} transcripts from ${opts.set}, engine ${opts.engine}, binary ${L.BIN}`);
  console.log('transcript               lang  ch P    ch R    ch F1   m/p/t   tag hit        kw rec  yes/no        skip ok  false skip  mc');
  for (const r of results) {
    const c = r.chapters, g = r.tags, q = r.questions;
    console.log([
      r.name.padEnd(24), r.language.padEnd(4),
      (c ? pct(c.precision) : 'n/a').padEnd(7), (c ? pct(c.recall) : '').padEnd(7), (c ? pct(c.f1) : '').padEnd(7),
      (c ? `${c.tp}/${c.pred}/${c.truth}` : '').padEnd(7),
      (g ? `${pct(g.tags ? g.tag_hits / g.tags : null)} ${frac(g.tag_hits, g.tags)}` : 'n/a').padEnd(14),
      (g ? frac(g.keyword_hits, g.keywords) : '').padEnd(7),
      (q ? `${pct(q.yn ? q.yn_correct / q.yn : null)} ${frac(q.yn_correct, q.yn)}` : 'n/a').padEnd(13),
      (q ? frac(q.skipped_unanswerable, q.unanswerable) : '').padEnd(8),
      (q ? frac(q.false_skips, q.answerable) : '').padEnd(11),
      q ? frac(q.mc_correct, q.mc) : '',
    ].join(' '));
  }
  console.log('\nTotals (micro-averaged):');
  for (const [wf, a] of Object.entries(availability)) if (a !== 'ok') console.log(`  ${wf}: ${a}`);
  if (t.chapters) {
    console.log(`  chapter F1 ${pct(t.chapters.f1)} (P ${pct(t.chapters.precision)}, R ${pct(t.chapters.recall)}; ` +
      `${t.chapters.tp} matched, ${t.chapters.predicted} predicted, ${t.chapters.expected} true)`);
  }
  if (t.tags) {
    console.log(`  tag hit rate ${pct(t.tags.tag_hit_rate)} (${t.tags.tag_hits}/${t.tags.tags}), ` +
      `keyword recall ${pct(t.tags.keyword_recall)} (${t.tags.keyword_hits}/${t.tags.keywords})`);
  }
  if (t.questions) {
    const q = t.questions;
    console.log(`  yes/no ${pct(q.yes_no_accuracy)} (${q.yes_no_correct}/${q.yes_no}), ` +
      `skip correctness ${pct(q.skip_correctness)} (${q.skipped_unanswerable}/${q.unanswerable}), ` +
      `false skips ${pct(q.false_skip_rate)} (${q.false_skips}/${q.answerable}), ` +
      `multiple choice ${pct(q.mc_accuracy)} (${q.mc_correct}/${q.mc})`);
  }
  const missed = S.missedTargets(t, availability);
  console.log(missed.length ? `  targets missed (reported only): ${missed.join('; ')}` : '  all targets met');
  console.log(`  wall time ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  if (opts.details) {
    for (const r of results) {
      console.log(`\n== ${r.name}`);
      for (const [k, run] of Object.entries(r.runs)) if (run.error) console.log(`  ${k}: ERROR ${run.error}`);
      if (r.chapters) {
        console.log(`  chapters predicted ${JSON.stringify(r.chapters.predicted.map(Math.round))} ` +
          `expected ${JSON.stringify(r.chapters.expected.map(Math.round))}`);
      }
      if (r.tags) console.log(`  tags ${JSON.stringify(r.tags.returned)}; keywords not hit ${JSON.stringify(r.tags.missed_keywords)}`);
      for (const m of r.questions?.misses ?? []) {
        console.log(`  Q ${JSON.stringify(m.question)} expected ${JSON.stringify(m.expected)} got ` +
          `${m.skipped ? 'skipped' : JSON.stringify(m.got)}`);
      }
    }
  }
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify({ set: opts.set, engine: opts.engine, binary: L.BIN,
      availability, totals: t, missed, per_transcript: results.map((r) => ({
        name: r.name, chapters: r.chapters ?? null, tags: r.tags ?? null, questions: r.questions ?? null,
      })) }, null, 2) + '\n');
  }
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`holdout/score.mjs: ${e.stack || e.message}`);
  process.exit(2);
});
