#!/usr/bin/env node
// build_set.mjs — turns the hand-written scripts in tests/eval/src/*.txt into
// the evaluation set: tests/eval/set/NAME.vtt (timed captions) and
// tests/eval/set/NAME.json (ground truth).
//
// Why a generator: the words, the topic segments, the keywords and the
// questions are written by hand in src/; only the timing is mechanical. A
// speaker talks at a steady rate with small random pauses (seeded, so the
// output is byte-for-byte reproducible), and a topic change gets no special
// pause — the set must not be solvable by looking at gaps. The true chapter
// starts are the start times of the first cue of each "==" segment, so the
// ground truth follows from the script, never from any algorithm's output.
//
// Source format (one file per transcript):
//   # language: en
//   # keywords: fresh pasta | egg dough | ...
//   # q: Does she use a pasta machine? => yes        (yes | no | null)
//   # mc: Which flour? | 00 flour | bread flour | rice flour => 00 flour
//   == free-text label of the topic (not written to the VTT)
//   [speaker_0] One speaker turn per line. The label is optional.
// Multi-speaker scripts label every cue of a turn (as diarized captions do).
//
// Usage: node tests/eval/build_set.mjs   (rewrites set/ from src/)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(here, 'src');
const OUT = path.join(here, 'set');

// Small deterministic PRNG (mulberry32) seeded from the file name, so a new
// transcript does not shift the timing of the others.
function rng(seedText) {
  let a = 0;
  for (const ch of seedText) a = (Math.imul(a, 31) + ch.charCodeAt(0)) | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ts(sec) {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  const r = ms % 1000;
  const p = (n, w) => String(n).padStart(w, '0');
  return `${p(h, 2)}:${p(m, 2)}:${p(s, 2)}.${p(r, 3)}`;
}

// Splits one speaker turn into cue texts: break after a sentence end once a
// cue has 4+ words, after a comma once it has 8+, and always at 13 words.
function chunkTurn(text) {
  const words = text.split(/\s+/).filter(Boolean);
  const cues = [];
  let cur = [];
  for (let i = 0; i < words.length; i++) {
    cur.push(words[i]);
    const w = words[i];
    const left = words.length - i - 1;
    const sentenceEnd = /[.!?…]["')»]?$/.test(w);
    const comma = /[,;:]$/.test(w);
    if ((sentenceEnd && cur.length >= 4 && left !== 1 && left !== 2) ||
        (comma && cur.length >= 8 && left >= 3) ||
        cur.length >= 13) {
      cues.push(cur);
      cur = [];
    }
  }
  if (cur.length) {
    // A tiny tail (1-2 words) joins the previous cue when that stays short.
    if (cur.length <= 2 && cues.length && cues[cues.length - 1].length + cur.length <= 14) {
      cues[cues.length - 1].push(...cur);
    } else {
      cues.push(cur);
    }
  }
  return cues.map((c) => c.join(' '));
}

function parse(file) {
  const name = path.basename(file, '.txt');
  const meta = { language: 'en', keywords: [], questions: [] };
  const segments = [];
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    let m;
    if ((m = line.match(/^#\s*language:\s*(\S+)/))) meta.language = m[1];
    else if ((m = line.match(/^#\s*keywords:\s*(.+)$/))) {
      meta.keywords = m[1].split('|').map((s) => s.trim()).filter(Boolean);
    } else if ((m = line.match(/^#\s*q:\s*(.+?)\s*=>\s*(yes|no|null)\s*$/))) {
      meta.questions.push({ question: m[1], answer: m[2] === 'null' ? null : m[2] });
    } else if ((m = line.match(/^#\s*mc:\s*(.+?)\s*=>\s*(.+?)\s*$/))) {
      const parts = m[1].split('|').map((s) => s.trim());
      const q = { question: parts[0], answer_options: parts.slice(1), answer: m[2] };
      if (!q.answer_options.includes(q.answer)) throw new Error(`${name}: mc answer not an option: ${line}`);
      meta.questions.push(q);
    } else if (line.startsWith('#')) {
      // comment
    } else if ((m = line.match(/^==\s*(.*)$/))) {
      segments.push({ label: m[1], turns: [] });
    } else {
      if (!segments.length) throw new Error(`${name}: text before the first == segment`);
      const sm = line.match(/^\[(speaker_\d+)\]\s*(.*)$/);
      segments[segments.length - 1].turns.push(sm ? { speaker: sm[1], text: sm[2] } : { speaker: null, text: line });
    }
  }
  return { name, meta, segments };
}

function build(file) {
  const { name, meta, segments } = parse(file);
  const rand = rng(name);
  const lines = ['WEBVTT', ''];
  const chapters = [];
  let t = 0.4 + rand() * 0.6;
  let n = 0;
  let words = 0;
  for (const seg of segments) {
    let first = true;
    for (const turn of seg.turns) {
      for (const cue of chunkTurn(turn.text)) {
        const wc = cue.split(/\s+/).length;
        words += wc;
        // About 2.4 words a second, +-15 %, clamped to the 2-6 s cue rule.
        const dur = Math.min(6, Math.max(2, (wc / 2.4) * (0.85 + rand() * 0.3)));
        const start = Math.round(t * 1000) / 1000;
        const end = Math.round((t + dur) * 1000) / 1000;
        if (first) { chapters.push(chapters.length === 0 ? 0 : start); first = false; }
        n++;
        lines.push(String(n), `${ts(start)} --> ${ts(end)}`,
          (turn.speaker ? `[${turn.speaker}] ` : '') + cue, '');
        t = end + 0.05 + rand() * 0.35;
      }
      t += rand() * 0.5; // a breath between turns, the same at a topic change
    }
  }
  fs.writeFileSync(path.join(OUT, `${name}.vtt`), lines.join('\n'));
  const truth = {
    vtt: `${name}.vtt`,
    language: meta.language,
    chapters,
    chapter_labels: segments.map((s) => s.label),
    keywords: meta.keywords,
    questions: meta.questions,
  };
  fs.writeFileSync(path.join(OUT, `${name}.json`), JSON.stringify(truth, null, 2) + '\n');
  const qs = meta.questions;
  return {
    name, language: meta.language, cues: n, words, duration_s: Math.round(t),
    segments: segments.length, keywords: meta.keywords.length,
    yes: qs.filter((q) => q.answer === 'yes').length,
    no: qs.filter((q) => q.answer === 'no').length,
    null: qs.filter((q) => q.answer === null).length,
    mc: qs.filter((q) => q.answer_options).length,
    chapters: chapters.map((c) => Math.round(c)).join(','),
  };
}

fs.mkdirSync(OUT, { recursive: true });
const files = fs.readdirSync(SRC).filter((f) => f.endsWith('.txt')).sort();
const rows = files.map((f) => build(path.join(SRC, f)));
console.table(rows);
