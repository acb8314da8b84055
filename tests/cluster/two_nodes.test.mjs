// two_nodes.test.mjs — two server processes on one PostgreSQL (issue 5):
// 2,000 jobs created through both API nodes; every job completes exactly once
// (store state, outbox events, which node ran it) and every webhook event is
// delivered to the receiver exactly once (dedupe by webhook-id finds no
// duplicate) although both nodes run webhook dispatchers.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { startReceiver, verify } from '../blackbox/webhook_receiver.mjs';
import {
  addEndpoint, assertCompletedOnce, clusterUnavailable, createJobs, nodeClaims, sharedStore, startNode,
  waitAllTerminal, waitWebhooks,
} from './cluster.mjs';

const N = Number(process.env.ROBOTS_CLUSTER_JOBS || 2000);
const nodes = [];
let receiver;

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await receiver?.close();
});

test(`two nodes, one PostgreSQL: ${N} jobs complete once, every webhook once`,
  { skip: clusterUnavailable() || false, timeout: 600000 }, async (t) => {
    const store = sharedStore();
    receiver = await startReceiver(() => ({ status: 200 }));
    const ep = addEndpoint(store, receiver.url);
    nodes.push(await startNode(store, { workers: 2 }));
    nodes.push(await startNode(store, { workers: 2 }));

    const t0 = Date.now();
    const { ids, statuses } = await createJobs(nodes, store, N, { concurrency: 16 });
    const createMs = Date.now() - t0;
    assert.deepEqual(statuses, { 202: N }, 'every create answered 202');
    assert.equal(new Set(ids).size, N, 'distinct job ids');

    const counts = await waitAllTerminal(store);
    const runMs = Date.now() - t0;
    assert.deepEqual(counts, { completed: N }, 'every job completed');
    const { jobs } = await assertCompletedOnce(store, ids);
    // Exactly once: nothing was re-run, and the nodes' workers claimed
    // disjoint sets that together are every job.
    assert.deepEqual(jobs.filter((j) => j.attempts !== 1), [], 'every job ran on its first attempt');
    const claims = nodes.map(nodeClaims);
    const all = claims.flat().map((c) => c.id);
    assert.equal(all.length, N, `claims logged: ${claims.map((c) => c.length)}`);
    assert.equal(new Set(all).size, N, 'no job claimed twice');
    for (const [i, c] of claims.entries()) assert.ok(c.length > 0, `node ${i} ran jobs`);

    const { events, duplicates } = await waitWebhooks(store, receiver);
    const deliverMs = Date.now() - t0;
    assert.equal(events.length, 3 * N, 'three events per job');
    assert.deepEqual(duplicates, [], 'no webhook event delivered twice');
    assert.equal(receiver.got.length, 3 * N, 'one request per event, no retries');
    // Signatures hold on a sample (every node signs with the endpoint's secret).
    for (let i = 0; i < receiver.got.length; i += 97) verify(receiver.got[i], ep.secret);
    // Per-job order holds across the two dispatchers.
    const order = new Map();
    for (const g of receiver.got) {
      const id = g.body.object.id;
      if (!order.has(id)) order.set(id, []);
      order.get(id).push(g.body.data.status);
    }
    for (const id of ids) assert.deepEqual(order.get(id), ['pending', 'processing', 'completed'], id);
    t.diagnostic(`${N} jobs: created in ${createMs} ms, all completed after ${runMs} ms, `
      + `all ${3 * N} webhooks delivered after ${deliverMs} ms; claims per node ${claims.map((c) => c.length)}`);
  });
