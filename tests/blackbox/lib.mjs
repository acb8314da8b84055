// lib.mjs — shared helpers for the black-box and SDK tests.
//
// Every test file starts the real `robots` binary (ROBOTS_BIN) on a fresh
// temporary data directory and a port picked here, talks to it over HTTP
// only, and tears everything down in an `after` hook. Processes and
// directories are also tracked module-wide and removed on process exit, so a
// test that throws half-way never leaves a server behind.
//
// The same tests run against PostgreSQL when ROBOTS_TEST_PG_URL_FILE names a
// file holding a postgres:// URL (the pg_server CTest fixture's
// <build>/pg-test/url; ROBOTS_TEST_PG_URL may hold the URL itself). Then every
// data directory gets its own fresh database on that server (created on first
// use, dropped at exit): servers and CLI commands given one data directory
// share one database, exactly as they would share one SQLite file, and
// directories that differ never see each other's rows. See databaseFor().
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
  dropTestDatabases();
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

// ---- The store under test: SQLite (default) or PostgreSQL -------------------

// {url, dir, bin} of the test PostgreSQL server, or null when the tests run on
// SQLite. A fixture that says PostgreSQL is unavailable (its `unavailable`
// file, or no URL file) makes the test process exit 77: CTest's SKIP code.
export const PG = (() => {
  const file = process.env.ROBOTS_TEST_PG_URL_FILE;
  let url = process.env.ROBOTS_TEST_PG_URL;
  let dir = null;
  if (file) {
    dir = path.dirname(path.resolve(file));
    const why = path.join(dir, 'unavailable');
    if (fs.existsSync(why) || !fs.existsSync(file)) {
      const reason = fs.existsSync(why) ? fs.readFileSync(why, 'utf8').trim() : `${file} does not exist`;
      process.stderr.write(`SKIP: PostgreSQL is unavailable: ${reason}\n`);
      process.exit(77);
    }
    url = fs.readFileSync(file, 'utf8').trim();
  }
  if (!url) return null;
  let bin = '';
  if (dir && fs.existsSync(path.join(dir, 'bin'))) bin = fs.readFileSync(path.join(dir, 'bin'), 'utf8').trim();
  return { url, dir, bin };
})();

// 'postgres' or 'sqlite': which store the servers of this run use.
export const STORE = PG ? 'postgres' : 'sqlite';

// A PostgreSQL client program (psql, pg_dump) from the test server's bin dir.
export function pgProgram(name) {
  if (PG?.bin && fs.existsSync(path.join(PG.bin, name))) return path.join(PG.bin, name);
  return name;
}

// The URL of database `name` on the test server.
export function pgUrl(name) {
  const u = new URL(PG.url);
  u.pathname = `/${name}`;
  return u.toString();
}

// Runs SQL through psql on `url` (the server's own database by default); returns stdout.
export function psql(sql, { url = PG?.url, timeout = 60000 } = {}) {
  const r = spawnSync(pgProgram('psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    { encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql ${JSON.stringify(sql)} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const dataDirDatabases = new Map(); // data dir → database URL
const createdDatabases = new Set();
let dbCounter = 0;

// A fresh, empty database on the test server; dropped at exit. Returns its URL.
export function createTestDatabase() {
  if (!PG) throw new Error('createTestDatabase: not running on PostgreSQL');
  const name = `rbt_${process.pid}_${++dbCounter}_${Math.random().toString(36).slice(2, 8)}`;
  psql(`CREATE DATABASE ${name}`);
  createdDatabases.add(name);
  return pgUrl(name);
}

function dropTestDatabases() {
  if (!PG || createdDatabases.size === 0) return;
  const args = ['-X', '-q', '-d', PG.url];
  for (const n of createdDatabases) args.push('-c', `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  createdDatabases.clear();
  try { spawnSync(pgProgram('psql'), args, { stdio: 'ignore', timeout: 30000 }); } catch { /* best effort */ }
}

// The store URL that servers and CLI commands given `dataDir` use: on SQLite
// the server's own default (sqlite:DIR/robots.db), on PostgreSQL a database
// made for this data directory on first use — so whatever shares a data
// directory shares a database.
export function databaseFor(dataDir) {
  const key = path.resolve(dataDir);
  let url = dataDirDatabases.get(key);
  if (url) return url;
  if (!PG) return `sqlite:${dataDir}/robots.db`;
  url = createTestDatabase();
  dataDirDatabases.set(key, url);
  return url;
}

// Makes `dataDir` stand for the PostgreSQL database at `url` (one the test
// made itself, e.g. on a server of its own): databaseFor, cli, startServer
// and storeQuery then use it for that directory.
export function useDatabase(dataDir, url) {
  dataDirDatabases.set(path.resolve(dataDir), url);
}

// Rows of a read-only query on the store of `dataDir`, as JSON objects (the
// same SQL works on both stores for the plain selects the tests make).
export function storeQuery(dataDir, query) {
  if (!databaseFor(dataDir).startsWith('postgres')) {
    const r = spawnSync('sqlite3', ['-json', path.join(dataDir, 'robots.db'), query], { encoding: 'utf8', timeout: 10000 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  }
  const out = psql(`SELECT coalesce(json_agg(q), '[]') FROM (${query}) q`, { url: databaseFor(dataDir) });
  return JSON.parse(out.trim() || '[]');
}

// storeQuery without blocking the event loop (for polling while loopback
// servers of the test — webhook receivers — must keep answering).
export function storeQueryAsync(dataDir, query) {
  const [prog, args] = databaseFor(dataDir).startsWith('postgres')
    ? [pgProgram('psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', databaseFor(dataDir), '-c',
      `SELECT coalesce(json_agg(q), '[]') FROM (${query}) q`]]
    : ['sqlite3', ['-json', path.join(dataDir, 'robots.db'), query]];
  return new Promise((resolve, reject) => {
    const p = spawn(prog, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { errText += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${prog} exited ${code}: ${errText}`));
      else resolve(out.trim() ? JSON.parse(out) : []);
    });
  });
}

// Every byte the store of `dataDir` holds: the SQLite files (with WAL) or a
// data-only pg_dump of its database. For "secrets never stored in clear".
export function storeBytes(dataDir) {
  if (!databaseFor(dataDir).startsWith('postgres')) {
    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('robots.db'));
    return Buffer.concat(files.map((f) => fs.readFileSync(path.join(dataDir, f))));
  }
  const r = spawnSync(pgProgram('pg_dump'), ['--data-only', '-d', databaseFor(dataDir)], { timeout: 60000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`pg_dump exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

// The value of `--data-dir` in a CLI argument list, or undefined.
function dataDirArg(args) {
  const i = args.indexOf('--data-dir');
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
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
// On PostgreSQL a command given `--data-dir DIR` (and no --database of its
// own) runs on DIR's database: ROBOTS_DATABASE=databaseFor(DIR).
export function cli(args, { env = {}, input } = {}) {
  const storeEnv = {};
  const dir = dataDirArg(args);
  if (dir !== undefined && !args.includes('--database') && env.ROBOTS_DATABASE === undefined
      && (PG || dataDirDatabases.has(path.resolve(dir)))) {
    storeEnv.ROBOTS_DATABASE = databaseFor(dir);
  }
  const r = spawnSync(BIN, args, {
    env: { ...process.env, ...storeEnv, ...env },
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
// args (extra flags), database (a store URL to use instead of the data
// directory's: two servers given one URL share one store). On PostgreSQL a
// server without `database` runs on databaseFor(dataDir). Resolves once
// /healthz answers 200.
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir ?? tempDir();
  const port = opts.port ?? await freePort();
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir];
  const ownStore = (opts.args || []).includes('--database') || opts.env?.ROBOTS_DATABASE !== undefined;
  let database = opts.database;
  if (database === undefined && !ownStore && (PG || dataDirDatabases.has(path.resolve(dataDir)))) {
    database = databaseFor(dataDir);
  }
  if (database !== undefined && !ownStore) args.push('--database', database);
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
    url, port, dataDir, proc, database: database ?? (ownStore ? undefined : databaseFor(dataDir)),
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
