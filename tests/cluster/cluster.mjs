// cluster.mjs — what the cluster tests share: several `robots serve` nodes
// on one PostgreSQL database, jobs created through all of them, and the
// checks that every job ran to completion exactly once and every webhook
// event reached the receiver.
//
// The nodes get their own data directories (as on separate machines) and one
// explicit database URL; the CLI commands (tokens, assets, endpoints) run on
// an "admin" data directory mapped to that same database (lib.mjs
// databaseFor), so everything meets in one store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import {
  PG, SIMPLE_VTT, cli, client, createCaptionsAsset, createToken, databaseFor, editParams, sleep,
  startServer, storeQueryAsync, tempDir, useDatabase, waitFor,
} from '../blackbox/lib.mjs';

export const EDIT = 'edit-captions';
export const EVENT_TYPES = ['pending', 'processing', 'completed'].map((s) => `robots.job.edit_captions.${s}`);

// Fast webhook delivery, so thousands of events drain within the test. The
// attempt timeout stays generous: on a loaded CI machine a receiver in the
// test process can take seconds to answer, and a timed-out attempt is
// (rightly) sent again — a duplicate this test would count.
export const FAST_WEBHOOKS = ['--webhook-retry-schedule', '0,0.2,0.2,0.5,0.5,1,1,1,1,1', '--webhook-timeout', '15',
  '--webhook-poll-ms', '20'];

// Why this run cannot test a cluster, or '' when it can.
export function clusterUnavailable() {
  return PG ? '' : 'the cluster tests need PostgreSQL (ROBOTS_TEST_PG_URL_FILE; ctest -L cluster)';
}

// One shared store: an admin data dir whose database every node is given.
// Returns {adminDir, database, token, asset}.
// `database`: a PostgreSQL URL to use instead of a fresh database on the
// fixture's server.
export function sharedStore({ envName = 'main', database: url } = {}) {
  const adminDir = tempDir('robots-cluster-');
  if (url) useDatabase(adminDir, url);
  const database = databaseFor(adminDir);
  const token = createToken(adminDir, envName);
  const asset = createCaptionsAsset(adminDir, envName, SIMPLE_VTT);
  return { adminDir, database, token, asset, envName };
}

// A webhook endpoint for `url` in the shared store → {id, secret, ...}.
export function addEndpoint(store, url) {
  const r = cli(['webhook', 'create', '--env', store.envName, '--url', url, '--allow-private-urls',
    '--data-dir', store.adminDir]);
  assert.equal(r.status, 0, `webhook create: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').filter(Boolean).pop());
}

// Starts a node of the cluster on the shared database. --debug makes each
// node log the jobs its workers claim (nodeClaims).
export async function startNode(store, opts = {}) {
  const { args = [], ...rest } = opts;
  return startServer({ dataDir: tempDir('robots-node-'), database: store.database, allowPrivate: true,
    args: ['--debug', ...FAST_WEBHOOKS, ...args], ...rest });
}

// The jobs a node's workers claimed, from its debug log: [{id, attempt}].
export function nodeClaims(node) {
  const out = [];
  for (const m of node.log.matchAll(/claimed job (rjob_\w+) \([^,]+, attempt (\d+)\)/g)) {
    out.push({ id: m[1], attempt: Number(m[2]) });
  }
  return out;
}

// Creates `count` edit-captions jobs through the nodes in turn, `concurrency`
// requests in flight; job i gets unique parameters (offset + i). Returns
// {ids, statuses} where statuses counts the answers by HTTP status; ids holds
// the 202s. `onAnswer(r, i)` sees every answer (status 0 = connection failed).
export async function createJobs(nodes, store, count, { concurrency = 16, offset = 0, onAnswer } = {}) {
  const clients = nodes.map((n) => client(n, store.token));
  const ids = [];
  const statuses = {};
  let next = 0;
  async function lane() {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const c = clients[i % clients.length];
      let r;
      try {
        r = await c.post(`/robots/v0/jobs/${EDIT}`, { parameters: editParams(store.asset, offset + i) });
      } catch (e) {
        r = { status: 0, text: String(e) };
      }
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 202) ids.push(r.json.data.id);
      onAnswer?.(r, i);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { ids, statuses };
}

// {status: count} over every job in the store.
export async function jobCounts(store) {
  const out = {};
  for (const r of await storeQueryAsync(store.adminDir, 'select status, count(*) as n from jobs group by status')) {
    out[r.status] = Number(r.n);
  }
  return out;
}

// Waits until every job in the store is terminal; returns the counts.
export async function waitAllTerminal(store, { timeout = 240000 } = {}) {
  let counts;
  await waitFor(async () => {
    counts = await jobCounts(store);
    return !counts.pending && !counts.processing;
  }, { timeout, interval: 500, what: 'every job terminal' });
  return counts;
}

// Asserts every job in `ids` completed exactly once: status completed with
// outputs in the store and exactly one pending, processing and completed
// event, in that order. Returns the rows {id, attempts}.
export async function assertCompletedOnce(store, ids) {
  const jobs = await storeQueryAsync(store.adminDir,
    "select id, status, attempts, outputs is not null as has_outputs from jobs");
  const byId = new Map(jobs.map((j) => [j.id, j]));
  for (const id of ids) {
    const j = byId.get(id);
    assert.ok(j, `job ${id} (answered 202) is not in the store`);
    assert.equal(j.status, 'completed', `${id}: ${JSON.stringify(j)}`);
    assert.equal(j.has_outputs, true, `${id} has no outputs`);
  }
  const events = await storeQueryAsync(store.adminDir, 'select id, job_id, type from events where job_id is not null order by seq');
  const types = new Map();
  for (const e of events) {
    if (!types.has(e.job_id)) types.set(e.job_id, []);
    types.get(e.job_id).push(e.type);
  }
  for (const id of ids) {
    assert.deepEqual(types.get(id), EVENT_TYPES, `events of ${id}`);
  }
  return { jobs, events };
}

// Delivered (2xx) requests the receiver got, grouped by webhook-id.
export function deliveriesById(receiver) {
  const m = new Map();
  for (const g of receiver.got) {
    if (g.status >= 300) continue;
    const id = g.headers['webhook-id'];
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
}

// Waits until every job event in the store reached the receiver (2xx) and
// the store records every delivery as delivered; returns
// {events, duplicates: [[webhook-id, times]]}.
export async function waitWebhooks(store, receiver, { timeout = 180000 } = {}) {
  let events;
  await waitFor(async () => {
    events = await storeQueryAsync(store.adminDir, 'select id from events where job_id is not null');
    const got = deliveriesById(receiver);
    return events.every((e) => got.has(e.id));
  }, { timeout, interval: 500, what: 'every event delivered to the receiver' });
  await waitFor(async () => {
    const [{ n }] = await storeQueryAsync(store.adminDir, "select count(*) as n from webhook_deliveries where status <> 'delivered'");
    return Number(n) === 0;
  }, { timeout: 30000, interval: 250, what: 'every delivery recorded as delivered' });
  const got = deliveriesById(receiver);
  const known = new Set(events.map((e) => e.id));
  for (const id of got.keys()) assert.ok(known.has(id), `the receiver got an unknown event ${id}`);
  return { events, duplicates: [...got].filter(([, n]) => n > 1) };
}

// ---- A private PostgreSQL server (for the restart test) ---------------------

const PG_SCRIPT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'scripts', 'pg-test-server');

// Starts a throwaway PostgreSQL server of our own (scripts/pg-test-server),
// so that stopping it does not disturb tests that share the fixture's server.
// Returns {dir, url, bin, stop(), start(), restart()}.
export function privatePg() {
  // pg-test-server hands DIR itself to the postgres user, so DIR is the temp
  // dir. Not a lib.tempDir: that one is deleted at exit before the server
  // could be stopped; the exit hook below stops and removes it instead.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-pgown-'));
  const r = spawnSync(PG_SCRIPT, ['start', dir], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `pg-test-server start: ${r.stderr}`);
  const url = fs.readFileSync(path.join(dir, 'url'), 'utf8').trim();
  const bin = fs.readFileSync(path.join(dir, 'bin'), 'utf8').trim();
  // initdb and postgres refuse root: pg-test-server ran them as the owner of the data dir.
  const uid = fs.statSync(path.join(dir, 'data')).uid;
  const owner = uid === process.getuid()
    ? null
    : spawnSync('id', ['-nu', String(uid)], { encoding: 'utf8' }).stdout.trim();
  const pgCtl = (...a) => {
    const argv = [path.join(bin, 'pg_ctl'), '-D', path.join(dir, 'data'), ...a];
    const p = owner ? spawnSync('runuser', ['-u', owner, '--', ...argv], { encoding: 'utf8', timeout: 120000 })
      : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 120000 });
    assert.equal(p.status, 0, `pg_ctl ${a.join(' ')}: ${p.stdout} ${p.stderr}`);
  };
  // The options pg-test-server started it with, as pg_ctl saved them.
  const opts = fs.readFileSync(path.join(dir, 'data', 'postmaster.opts'), 'utf8').trim()
    .split(/\s+(?=")/).slice(1).map((s) => s.replace(/^"|"$/g, ''))
    .filter((s, i, all) => !(s === '-D' || all[i - 1] === '-D'));
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    spawnSync(PG_SCRIPT, ['stop', dir], { timeout: 60000 });
  };
  process.on('exit', destroy);
  return {
    dir, url, bin,
    stop: () => pgCtl('-m', 'fast', '-w', 'stop'),
    start: () => pgCtl('-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start',
      '-o', opts.map((s) => (/\s/.test(s) ? `'${s}'` : s)).join(' ')),
    restart: () => pgCtl('-m', 'fast', '-w', 'restart'),
    destroy,
  };
}

export { sleep };
