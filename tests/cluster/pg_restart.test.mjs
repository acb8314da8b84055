// pg_restart.test.mjs — PostgreSQL goes down and comes back mid-run under two
// nodes (issue 5): while it is down every request that needs the database
// answers 503 with the error body (never 500, never a crash); after it is back
// both nodes serve and work again by themselves, and nothing accepted is
// lost: every job answered 202 completes, with one pending, one processing
// and one completed event, and every webhook event reaches the receiver.
//
// The test stops a PostgreSQL server of its own (scripts/pg-test-server in a
// temp dir), not the fixture's, which other tests share.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { startReceiver } from '../blackbox/webhook_receiver.mjs';
import { client, editParams, sleep, storeQueryAsync, waitFor } from '../blackbox/lib.mjs';
import {
  EDIT, addEndpoint, assertCompletedOnce, clusterUnavailable, createJobs, privatePg, sharedStore, startNode,
  waitAllTerminal, waitWebhooks,
} from './cluster.mjs';

const N = 300;
const nodes = [];
let receiver;
let pg;

after(async () => {
  try {
    await Promise.all(nodes.map((n) => n.stop()));
  } finally {
    await receiver?.close();
    pg?.destroy();
  }
});

test('PostgreSQL stops and restarts mid-run: 503 while down, nothing lost, both nodes recover',
  { skip: clusterUnavailable() || false, timeout: 300000 }, async (t) => {
    pg = privatePg();
    const store = sharedStore({ database: pg.url });
    receiver = await startReceiver(() => ({ status: 200 }));
    addEndpoint(store, receiver.url);
    const opts = { workers: 2, leaseSeconds: 5, env: { ROBOTS_DEBUG_WORKFLOW_DELAY_MS: '50' },
      args: ['--webhook-timeout', '5'] };
    nodes.push(await startNode(store, opts), await startNode(store, opts));
    const clients = nodes.map((n) => client(n, store.token));

    // Phase 1: jobs through both nodes; the database goes away while they run.
    const first = await createJobs(nodes, store, N, { concurrency: 8 });
    assert.deepEqual(first.statuses, { 202: N });
    const someId = first.ids[0];
    const counts = await storeQueryAsync(store.adminDir, "select count(*) as n from jobs where status <> 'completed'");
    assert.ok(Number(counts[0].n) > 0, 'jobs are still running when the database stops');

    pg.stop();
    const downAt = Date.now();
    // While it is down: creates, gets and lists on both nodes answer 503.
    const seen = {};
    let k = 0;
    while (Date.now() - downAt < 3000) {
      for (const c of clients) {
        const answers = await Promise.all([
          c.post(`/robots/v0/jobs/${EDIT}`, { parameters: editParams(store.asset, 100000 + k++) }),
          c.get(`/robots/v0/jobs/${EDIT}/${someId}`),
          c.get('/robots/v0/jobs?limit=5'),
        ]);
        for (const r of answers) {
          seen[r.status] = (seen[r.status] ?? 0) + 1;
          assert.equal(r.status, 503, `while the database is down: ${r.status} ${r.text}`);
          assert.equal(r.json?.error?.type, 'unavailable', r.text);
        }
      }
      await sleep(100);
    }
    for (const n of nodes) assert.equal(n.exited, null, `a node exited while the database was down:\n${n.log.slice(-3000)}`);

    pg.start();
    const upAt = Date.now();
    const logAtRestart = nodes.map((n) => n.log.length);
    // Both nodes serve again by themselves (reconnect with backoff ≤ 5 s).
    for (const c of clients) {
      await waitFor(async () => (await c.get(`/robots/v0/jobs/${EDIT}/${someId}`)).status === 200,
        { timeout: 20000, interval: 100, what: 'a node to serve again' });
    }
    const recoverMs = Date.now() - upAt;

    // Phase 2: more jobs through both.
    // Once a node has answered again, its next requests succeed too: a pooled
    // session the restart killed must not surface as one more 503.
    const failed = [];
    const second = await createJobs(nodes, store, N, { concurrency: 8, offset: N,
      onAnswer: (r) => { if (r.status !== 202) failed.push(`${r.status} ${r.text}`); } });
    assert.deepEqual(second.statuses, { 202: N }, `after the restart: ${failed.slice(0, 2).join('\n')}`);
    const ids = [...first.ids, ...second.ids];

    const final = await waitAllTerminal(store);
    assert.equal(final.completed, 2 * N, `every accepted job completed: ${JSON.stringify(final)}`);
    assert.deepEqual(Object.keys(final), ['completed'], JSON.stringify(final));
    const { jobs } = await assertCompletedOnce(store, ids);
    const reRun = jobs.filter((j) => j.attempts > 1).length;
    const { events, duplicates } = await waitWebhooks(store, receiver);
    assert.equal(events.length, 3 * 2 * N);
    for (const n of nodes) assert.equal(n.exited, null, 'both nodes are running');
    // Both nodes' workers went back to work (their debug logs name the claims).
    const claimsAfter = nodes.map((n, i) => [...n.log.slice(logAtRestart[i]).matchAll(/claimed job rjob_/g)].length);
    for (const [i, k] of claimsAfter.entries()) assert.ok(k > 0, `node ${i} claimed no job after the restart`);
    t.diagnostic(`answers while down: ${JSON.stringify(seen)}; both nodes served again ${recoverMs} ms after `
      + `the restart and claimed ${claimsAfter} jobs after it; `
      + `jobs re-run after the outage: ${reRun}; webhook events delivered twice: ${duplicates.length}`);
  });
