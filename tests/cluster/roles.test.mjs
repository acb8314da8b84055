// roles.test.mjs — the split deployment of issue 5 on one PostgreSQL: two
// `--role api` nodes take every create, two `--role worker` nodes run every
// job. Every job completes exactly once, only worker nodes claim jobs (an api
// node runs no workers), both workers share the work, and every webhook event
// reaches the receiver exactly once.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cli } from '../blackbox/lib.mjs';
import { startReceiver } from '../blackbox/webhook_receiver.mjs';
import {
  addEndpoint, assertCompletedOnce, clusterUnavailable, createJobs, nodeClaims, sharedStore, startNode,
  waitAllTerminal, waitWebhooks,
} from './cluster.mjs';

const N = 1000;
const nodes = [];
let receiver;

function skipReason() {
  const why = clusterUnavailable();
  if (why) return why;
  return cli(['serve', '--help']).stdout.includes('--role') ? '' : 'this build has no `serve --role`';
}

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await receiver?.close();
});

test(`api and worker roles: ${N} jobs through two api nodes, run by two worker nodes`,
  { skip: skipReason() || false, timeout: 300000 }, async (t) => {
    const store = sharedStore();
    receiver = await startReceiver(() => ({ status: 200 }));
    addEndpoint(store, receiver.url);
    const api = [await startNode(store, { args: ['--role', 'api'] }), await startNode(store, { args: ['--role', 'api'] })];
    // Workers given --listen also serve HTTP (lib.startServer waits on their /healthz).
    const workers = [await startNode(store, { workers: 2, args: ['--role', 'worker'] }),
      await startNode(store, { workers: 2, args: ['--role', 'worker'] })];
    nodes.push(...api, ...workers);

    const { ids, statuses } = await createJobs(api, store, N, { concurrency: 16 });
    assert.deepEqual(statuses, { 202: N });
    assert.deepEqual(await waitAllTerminal(store), { completed: N });
    const { jobs } = await assertCompletedOnce(store, ids);
    assert.deepEqual(jobs.filter((j) => j.attempts !== 1), [], 'every job ran on its first attempt');

    for (const a of api) assert.deepEqual(nodeClaims(a), [], 'an api node claims no job');
    const claims = workers.map(nodeClaims);
    const all = claims.flat().map((c) => c.id);
    assert.equal(all.length, N, `claims: ${claims.map((c) => c.length)}`);
    assert.equal(new Set(all).size, N, 'no job claimed twice');
    for (const [i, c] of claims.entries()) assert.ok(c.length > 0, `worker ${i} ran jobs`);

    const { events, duplicates } = await waitWebhooks(store, receiver);
    assert.equal(events.length, 3 * N);
    assert.deepEqual(duplicates, [], 'no webhook event delivered twice');
    assert.equal(receiver.got.length, 3 * N, 'one request per event');
    t.diagnostic(`claims per worker node ${claims.map((c) => c.length)}; api nodes claimed none`);
  });
