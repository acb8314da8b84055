// fake_openai.mjs — an OpenAI-compatible chat-completions server for black-box
// tests (a test double for an outside service). It records every request and
// answers POST /v1/chat/completions with, in order: the scripted replies
// queued with `script(...)`, then a generated object that satisfies the
// request's JSON schema (response_format.json_schema.schema), so any workflow
// can be driven through the openai engine without per-workflow fixtures.
import http from 'node:http';

// A minimal instance of a JSON schema: required properties only, minimum
// values, minItems elements (at least one), "fake <name>" strings.
export function instanceOf(schema, name = 'value') {
  const type = Array.isArray(schema?.type) ? schema.type.find((t) => t !== 'null') : schema?.type;
  if (schema?.enum) return schema.enum[0];
  switch (type) {
    case 'object': {
      const o = {};
      for (const k of schema.required ?? Object.keys(schema.properties ?? {})) {
        o[k] = instanceOf(schema.properties?.[k] ?? {}, k);
      }
      return o;
    }
    case 'array': {
      const n = Math.max(1, schema.minItems ?? 1);
      return Array.from({ length: n }, () => instanceOf(schema.items ?? {}, name));
    }
    case 'integer': return Math.ceil(schema.minimum ?? 0);
    case 'number': return schema.minimum ?? 0.5;
    case 'boolean': return false;
    case 'string': {
      let s = `fake ${name} words here`;
      if (schema.maxLength) s = s.slice(0, schema.maxLength);
      return s;
    }
    default: return null;
  }
}

export async function startFakeOpenAI() {
  const requests = [];
  const queue = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      let json = null;
      try { json = JSON.parse(body); } catch { /* recorded as null */ }
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: json });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"not found"}}');
        return;
      }
      const step = queue.shift();
      if (step?.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
      if (step && step.status !== 200) {
        res.writeHead(step.status, { 'content-type': 'application/json', ...(step.headers || {}) });
        res.end(step.body ?? '{"error":{"message":"scripted failure"}}');
        return;
      }
      const schema = json?.response_format?.json_schema?.schema;
      const content = step?.content ?? JSON.stringify(step?.object ?? instanceOf(schema ?? { type: 'object' }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        model: json?.model ?? 'fake',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 12000, completion_tokens: 345, total_tokens: 12345 },
      }));
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    // Queues replies: {status, body?, headers?, delayMs?} for failures,
    // {status: 200, object} or {status: 200, content} for a chosen answer.
    script(...steps) { queue.push(...steps); },
    close() { return new Promise((r) => srv.close(r)); },
  };
}
