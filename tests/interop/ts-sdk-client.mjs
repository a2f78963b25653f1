// Official TypeScript SDK client (@modelcontextprotocol/sdk) against a weather MCP server.
//
//   node ts-sdk-client.mjs http  <url>
//   node ts-sdk-client.mjs stdio <command> [args...]
//
// Prints `ok  ts-sdk <transport> <check>` or `FAIL ts-sdk <transport> <check>: why` per check;
// exits 1 if any check failed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

const TITLES = {
  'realtime-api': 'Realtime API',
  'forecast-api': 'Forecast API',
  'history-api': 'History API',
  'search-api': 'Search API',
  'ip-lookup-api': 'IP Lookup API',
};
const TIMEOUT_MS = 20_000;

const [mode, target, ...rest] = process.argv.slice(2);
if (!['http', 'stdio'].includes(mode) || !target) {
  console.error('usage: ts-sdk-client.mjs http <url> | stdio <command> [args...]');
  process.exit(2);
}

let failed = 0;
function check(name, fn) {
  try {
    fn();
    console.log(`ok  ts-sdk ${mode} ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ts-sdk ${mode} ${name}: ${e.message}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const show = (v) => JSON.stringify(v)?.slice(0, 300);

const transport =
  mode === 'http'
    ? new StreamableHTTPClientTransport(new URL(target))
    : new StdioClientTransport({ command: target, args: rest, stderr: 'inherit' });
const client = new Client({ name: 'toolgate-interop-ts', version: '0.0.0' });
const opts = { timeout: TIMEOUT_MS };

try {
  await client.connect(transport, opts);
  check('connect', () => {});

  const { tools } = await client.listTools({}, opts);
  const byName = new Map(tools.map((t) => [t.name, t]));
  check('tools/list has the five weather tools', () => {
    const missing = Object.keys(TITLES).filter((n) => !byName.has(n));
    assert(missing.length === 0, `missing ${missing} in ${show([...byName.keys()])}`);
  });
  check('tools/list titles', () => {
    for (const [name, title] of Object.entries(TITLES)) {
      const got = byName.get(name)?.title;
      assert(got === title, `${name}: title ${show(got)}, want ${show(title)}`);
    }
  });
  check('realtime-api schema: query_q required string, no query_key', () => {
    const schema = byName.get('realtime-api')?.inputSchema ?? {};
    assert(schema.properties?.query_q?.type === 'string', `query_q: ${show(schema.properties?.query_q)}`);
    assert(schema.required?.includes('query_q'), `required: ${show(schema.required)}`);
    assert(!('query_key' in (schema.properties ?? {})), 'query_key is a property');
  });

  const res = await client.callTool({ name: 'realtime-api', arguments: { query_q: 'London' } }, undefined, opts);
  check('tools/call realtime-api is not an error', () => assert(!res.isError, show(res)));
  check('tools/call realtime-api text location.name == London', () => {
    const text = res.content?.find((c) => c.type === 'text')?.text;
    assert(text !== undefined, `no text content: ${show(res.content)}`);
    const name = JSON.parse(text)?.location?.name;
    assert(name === 'London', `location.name ${show(name)}`);
  });
  check('tools/call realtime-api structuredContent location.name == London', () => {
    const name = res.structuredContent?.location?.name;
    assert(name === 'London', `structuredContent ${show(res.structuredContent)}`);
  });

  let outcome;
  try {
    outcome = { result: await client.callTool({ name: 'forecast-api', arguments: {} }, undefined, opts) };
  } catch (e) {
    outcome = { error: e };
  }
  check('tools/call forecast-api without required args is a -32602 error', () => {
    assert(outcome.error, `no JSON-RPC error; result ${show(outcome.result)}`);
    assert(outcome.error instanceof McpError && outcome.error.code === -32602, `got ${outcome.error}`);
  });
} catch (e) {
  failed += 1;
  const why = `${e}${e?.cause ? ` (cause: ${e.cause.message ?? e.cause})` : ''}`.replace(/\s+/g, ' ');
  console.log(`FAIL ts-sdk ${mode} session: ${why}`);
} finally {
  await client.close().catch(() => {});
}
process.exit(failed ? 1 : 0);
