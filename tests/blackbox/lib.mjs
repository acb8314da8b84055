// lib.mjs — shared helpers for the black-box and SDK tests.
//
// Every test file starts the real `robots` binary (ROBOTS_BIN) on a fresh
// temporary data directory and a port picked here, talks to it over HTTP
// only, and tears everything down in an `after` hook. Processes and
// directories are also tracked module-wide and removed on process exit, so a
// test that throws half-way never leaves a server behind.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');
export const FIXTURES = path.join(REPO, 'tests', 'fixtures');

// The binary under test: ctest passes ROBOTS_BIN; by hand we fall back to the
// usual build directories.
export const BIN = (() => {
  if (process.env.ROBOTS_BIN) return process.env.ROBOTS_BIN;
  for (const c of ['build/robots', 'build-asan/robots']) {
    const p = path.join(REPO, c);
    if (fs.existsSync(p)) return p;
  }
  return path.join(REPO, 'build', 'robots');
})();

export const WORKFLOWS = [
  'summarize', 'moderate', 'generate-chapters', 'find-scenes', 'edit-captions',
  'translate-captions', 'translate-audio', 'ask-questions', 'find-key-moments',
  'generate-engagement-insights', 'generate-premium-captions', 'find-best-thumbnails',
];
// The workflows this build runs; the others answer 501 not_implemented.
export const IMPLEMENTED = new Set([
  'edit-captions', 'summarize', 'generate-chapters', 'ask-questions', 'find-key-moments',
]);
export const TERMINAL = new Set(['completed', 'errored', 'cancelled']);

const children = new Set();
const tempDirs = new Set();

function cleanupAll() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
  children.clear();
  for (const d of tempDirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
  }
  tempDirs.clear();
}
process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { cleanupAll(); process.exit(130); });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function tempDir(prefix = 'robots-bb-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

export function removeDir(d) {
  fs.rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

// A free TCP port: bind port 0, read the port, close. The tiny window in
// which another process could take it is acceptable for tests.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Runs a CLI subcommand synchronously; returns {status, stdout, stderr}.
export function cli(args, { env = {}, input } = {}) {
  const r = spawnSync(BIN, args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    input,
    timeout: 20000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliJson(args) {
  const r = cli(args);
  if (r.status !== 0) {
    throw new Error(`robots ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  const line = r.stdout.trim().split('\n').filter(Boolean).pop();
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`robots ${args.join(' ')} printed no JSON: ${r.stdout}`);
  }
}

// `robots token create` → {id, secret, environment:{id,name}, scopes}
export function createToken(dataDir, envName, scopes = ['robots:*', 'video:*']) {
  const args = ['token', 'create', '--env', envName];
  for (const s of scopes) args.push('--scope', s);
  args.push('--data-dir', dataDir);
  const t = cliJson(args);
  if (!t.id || !t.secret) throw new Error(`token create: unexpected ${JSON.stringify(t)}`);
  return t;
}

export function revokeToken(dataDir, id) {
  const r = cli(['token', 'revoke', id, '--data-dir', dataDir]);
  if (r.status !== 0) throw new Error(`token revoke exited ${r.status}: ${r.stderr}`);
}

// `robots asset create --captions FILE` → the asset JSON (ready, captions only).
export function createCaptionsAsset(dataDir, envName, vttText, language = 'en') {
  const dir = tempDir('robots-vtt-');
  const f = path.join(dir, 'captions.vtt');
  fs.writeFileSync(f, vttText);
  try {
    const a = cliJson(['asset', 'create', '--env', envName, '--captions', f, '--language',
      language, '--data-dir', dataDir]);
    return a.data ?? a;
  } finally {
    removeDir(dir);
  }
}

// The ready text track of a captions-only asset.
export function textTrack(asset) {
  const t = (asset.tracks || []).find((x) => x.type === 'text');
  if (!t) throw new Error(`asset ${asset.id} has no text track: ${JSON.stringify(asset)}`);
  return t;
}

// Starts `robots serve`. Options: dataDir (fresh temp dir when omitted),
// workers, allowPrivate, leaseSeconds, publicUrl, env (extra environment),
// args (extra flags). Resolves once /healthz answers 200.
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir ?? tempDir();
  const port = opts.port ?? await freePort();
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir];
  if (opts.workers !== undefined) args.push('--workers', String(opts.workers));
  if (opts.allowPrivate) args.push('--allow-private-urls');
  if (opts.leaseSeconds !== undefined) args.push('--lease-seconds', String(opts.leaseSeconds));
  if (opts.publicUrl) args.push('--public-url', opts.publicUrl);
  if (opts.args) args.push(...opts.args);
  const proc = spawn(BIN, args, {
    env: { ...process.env, ...(opts.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let log = '';
  const onData = (d) => {
    log += d.toString();
    if (log.length > 4e6) log = log.slice(-2e6);
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      children.delete(proc);
      resolve(exited);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url, port, dataDir, proc,
    get log() { return log; },
    get exited() { return exited; },
    // Graceful stop: SIGTERM, then SIGKILL after a grace period. Throws when
    // the server did not exit cleanly or a sanitizer reported anything (so an
    // ASan build turns memory errors and leaks into test failures).
    async stop(graceMs = 5000) {
      if (!exited) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
        await exitPromise;
        clearTimeout(t);
      }
      const report = sanitizerReport(log);
      if (report) throw new Error(`sanitizer report from robots serve:\n${report}`);
      if (exited.code !== 0) {
        throw new Error(`robots serve exited ${JSON.stringify(exited)} on SIGTERM:\n${log.slice(-4000)}`);
      }
      return exited;
    },
    async kill9() {
      if (exited) return exited;
      proc.kill('SIGKILL');
      return exitPromise;
    },
  };
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) {
      throw new Error(`robots serve exited early (${JSON.stringify(exited)}):\n${log}`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await server.kill9();
      throw new Error(`robots serve did not become healthy in 15 s:\n${log}`);
    }
    await sleep(50);
  }
  return server;
}

// The part of a server log a sanitizer wrote, or '' when there is none.
export function sanitizerReport(log) {
  const m = log.match(/(==\d+==ERROR: \w+Sanitizer[\s\S]*|[^\n]*runtime error:[\s\S]*)/);
  return m ? m[1].slice(0, 6000) : '';
}

export function basic(token) {
  return 'Basic ' + Buffer.from(`${token.id}:${token.secret}`).toString('base64');
}

// One HTTP request; never throws on HTTP status. body: object (sent as JSON),
// string/Buffer (sent as is) or undefined. Returns {status, headers, text, json}.
export async function request(server, method, pathname, { token, body, headers = {}, auth } = {}) {
  const h = { ...headers };
  if (auth !== undefined) h.authorization = auth;
  else if (token) h.authorization = basic(token);
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
    else payload = JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
      h['content-type'] = 'application/json';
    }
  }
  const base = typeof server === 'string' ? server : server.url;
  const full = pathname.startsWith('http') ? pathname : base + pathname;
  const r = await fetch(full, { method, headers: h, body: payload });
  const text = await r.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: r.status, headers: r.headers, text, json };
}

// A client bound to one server and one token.
export function client(server, token) {
  const c = (method, p, o = {}) => request(server, method, p, { token, ...o });
  return {
    get: (p, o) => c('GET', p, o),
    post: (p, body, o = {}) => c('POST', p, { body, ...o }),
    del: (p, o) => c('DELETE', p, o),
    patch: (p, body, o = {}) => c('PATCH', p, { body, ...o }),
    raw: c,
  };
}

// Builds "?a=1&b=2" from an object (undefined values skipped).
export function qs(o) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined) u.append(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

// Polls fn until it returns a truthy value or the timeout passes.
export async function waitFor(fn, { timeout = 20000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(interval);
  }
}

// Polls a job until it is terminal (or in one of `statuses`); returns the job.
export async function waitJob(c, workflow, id, { statuses = TERMINAL, timeout = 20000 } = {}) {
  let job;
  await waitFor(async () => {
    const r = await c.get(`/robots/v0/jobs/${workflow}/${id}`);
    if (r.status !== 200) throw new Error(`GET job ${id}: ${r.status} ${r.text}`);
    job = r.json.data;
    return statuses.has(job.status);
  }, { timeout, what: `job ${id} to reach ${[...statuses].join('/')}` });
  return job;
}

// Polls an asset until it leaves "preparing"; returns the asset.
export async function waitAsset(c, id, { timeout = 15000 } = {}) {
  let asset;
  await waitFor(async () => {
    const r = await c.get(`/video/v1/assets/${id}`);
    if (r.status !== 200) throw new Error(`GET asset ${id}: ${r.status} ${r.text}`);
    asset = r.json.data;
    return asset.status !== 'preparing';
  }, { timeout, what: `asset ${id} to leave preparing` });
  return asset;
}

// A loopback HTTP server serving fixed files: routes maps path → {body,
// type?, status?, headers?, hang?}. Records every request path in .hits.
export async function startFixtureServer(routes) {
  const hits = [];
  const srv = http.createServer((req, res) => {
    hits.push(req.url);
    const r = routes[req.url.split('?')[0]];
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (r.hang) return; // never answers; closeAllConnections() ends it
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'text/vtt; charset=utf-8', ...(r.headers || {}) });
    res.end(r.body);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => { srv.closeAllConnections?.(); srv.close(() => resolve()); }),
  };
}

// Asserts the spec's error body (§1.6 + the project's decision) and returns it.
export function errorBody(assert, r, status, type) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.ok(r.json && r.json.error, `error body missing: ${r.text}`);
  const e = r.json.error;
  if (type) assert.equal(e.type, type, `error.type: ${r.text}`);
  assert.equal(typeof e.message, 'string', `error.message: ${r.text}`);
  assert.ok(Array.isArray(e.messages) && e.messages.length >= 1, `error.messages: ${r.text}`);
  assert.equal(e.messages[0], e.message, `messages[0] must equal message: ${r.text}`);
  return e;
}

// The VTT fixture most tests share: three cues with a known last end time.
export const SIMPLE_VTT = [
  'WEBVTT',
  '',
  '1',
  '00:00:00.000 --> 00:00:02.000',
  'Hello there.',
  '',
  '2',
  '00:00:02.000 --> 00:00:05.000',
  'We are gonna test this.',
  '',
  '3',
  '00:00:05.000 --> 00:00:12.500',
  'The end.',
  '',
].join('\n');
export const SIMPLE_VTT_DURATION = 12.5;

// Standard edit-captions parameters for an asset; `n` makes them unique so
// the duplicate-job rule does not fire.
export function editParams(asset, n = 0, extra = {}) {
  return {
    asset_id: asset.id,
    track_id: textTrack(asset).id,
    replacements: [{ find: 'gonna', replace: `going to ${n}` }],
    upload_to_mux: false,
    ...extra,
  };
}

// A fresh server with one environment "main", a full-scope token and
// `nAssets` captions assets created through the CLI before start.
export async function setup({ nAssets = 1, vtt = SIMPLE_VTT, ...serverOpts } = {}) {
  const dataDir = tempDir();
  const token = createToken(dataDir, 'main');
  const assets = [];
  for (let i = 0; i < nAssets; i++) assets.push(createCaptionsAsset(dataDir, 'main', vtt));
  const server = await startServer({ dataDir, ...serverOpts });
  return { server, dataDir, token, assets, c: client(server, token) };
}
