// cli_job_run.test.mjs — `robots job run` as an HTTP client of a real server,
// and `robots env set|unset|show` on the data directory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { BIN, cli, setup, textTrack } from './lib.mjs';

// Runs the CLI asynchronously (the server under test runs in this process's
// event loop, so spawnSync would not block it, but a waiting client must not
// block the test's own timers either).
function cliAsync(args, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('robots job run', () => {
  let s;
  let auth;
  before(async () => {
    s = await setup();
    auth = `${s.token.id}:${s.token.secret}`;
  });
  after(async () => { await s.server.stop(); });

  test('--wait prints the outputs of the completed job', async () => {
    const a = s.assets[0];
    const r = await cliAsync(['job', 'run', 'edit-captions', '--asset', a.id,
      '--param', `track_id=${textTrack(a).id}`,
      '--param', 'upload_to_mux=false',
      '--params', '{"replacements":[{"find":"gonna","replace":"going to"}]}',
      '--url', s.server.url, '--token', auth, '--wait']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.total_replacement_count, 1);
    assert.match(out.temporary_vtt_url, /^http/);
    assert.match(r.stderr, /job \S+ created, waiting/);
  });

  test('without --wait prints the pending job; ROBOTS_URL and ROBOTS_TOKEN work', async () => {
    const a = s.assets[0];
    const r = await cliAsync(['job', 'run', 'edit-captions', '--asset', a.id,
      '--param', `track_id=${textTrack(a).id}`, '--param', 'upload_to_mux=false',
      '--params', '{"replacements":[{"find":"test","replace":"check"}]}',
      '--passthrough', 'from-cli'],
    { ROBOTS_URL: `${s.server.url}/`, ROBOTS_TOKEN: auth });
    assert.equal(r.status, 0, r.stderr);
    const job = JSON.parse(r.stdout);
    assert.equal(job.workflow, 'edit-captions');
    assert.equal(job.passthrough, 'from-cli');
    assert.ok(['pending', 'processing', 'completed'].includes(job.status));
    assert.equal(job.parameters.upload_to_mux, false);
  });

  test('API errors are printed with their type and message, exit 1', async () => {
    const bad = await cliAsync(['job', 'run', 'edit-captions', '--asset', s.assets[0].id,
      '--param', 'track_id=nope', '--params', '{"replacements":[{"find":"a","replace":"b"}]}',
      '--url', s.server.url, '--token', auth, '--wait']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /HTTP 422 invalid_parameters: .*track_id/);

    const unknown = await cliAsync(['job', 'run', 'no-such-flow', '--asset', 'x',
      '--url', s.server.url, '--token', auth]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /HTTP 404/);

    const denied = await cliAsync(['job', 'run', 'edit-captions', '--asset', 'x',
      '--url', s.server.url, '--token', `${s.token.id}:wrong`]);
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /HTTP 401/);
  });

  test('an errored job exits 1 and prints its errors', async () => {
    // The builtin engine writes only the transcript's language: a job that
    // asks for German errors (unsupported_language), deterministically.
    const r = await cliAsync(['job', 'run', 'summarize', '--asset', s.assets[0].id,
      '--param', 'output_language_code=de', '--url', s.server.url, '--token', auth, '--wait',
      '--timeout', '30']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /job \S+ errored: .*"type":"unsupported_language"/);
  });

  test('usage errors exit 2', () => {
    assert.equal(cli(['job', 'run']).status, 2);
    const noToken = cli(['job', 'run', 'summarize', '--asset', 'a'], { env: { ROBOTS_TOKEN: '' } });
    assert.equal(noToken.status, 2);
    assert.match(noToken.stderr, /--token/);
    assert.equal(cli(['job', 'run', 'summarize', '--asset', 'a', '--token', 'a:b',
      '--param', 'novalue']).status, 2);
    assert.equal(cli(['job', 'run', 'summarize', '--asset', 'a', '--token', 'a:b',
      '--params', '[1]']).status, 2);
    assert.equal(cli(['job', 'run', '--help']).status, 0);
  });
});

describe('robots env', () => {
  let s;
  before(async () => { s = await setup({ nAssets: 0 }); });
  after(async () => { await s.server.stop(); });

  test('set, show and unset settings; unknown keys and values are refused', () => {
    const d = ['--data-dir', s.dataDir];
    assert.equal(cli(['env', 'set', 'main', 'ai', 'openai', ...d]).status, 0);
    assert.equal(cli(['env', 'set', 'main', 'openai_model', 'llama3.1', ...d]).status, 0);
    let shown = JSON.parse(cli(['env', 'show', 'main', ...d]).stdout);
    assert.equal(shown.name, 'main');
    assert.deepEqual(shown.settings, { ai: 'openai', openai_model: 'llama3.1' });
    assert.equal(cli(['env', 'unset', 'main', 'ai', ...d]).status, 0);
    shown = JSON.parse(cli(['env', 'show', 'main', ...d]).stdout);
    assert.deepEqual(shown.settings, { openai_model: 'llama3.1' });

    const badValue = cli(['env', 'set', 'main', 'ai', 'gpt', ...d]);
    assert.equal(badValue.status, 2);
    assert.match(badValue.stderr, /ai must be builtin or openai/);
    const badKey = cli(['env', 'set', 'main', 'api_key', 'sk-x', ...d]);
    assert.equal(badKey.status, 2);
    assert.match(badKey.stderr, /unknown setting 'api_key'/);
    assert.equal(cli(['env', 'show', 'nope', ...d]).status, 1);
  });
});
