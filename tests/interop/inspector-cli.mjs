// MCP Inspector CLI (@modelcontextprotocol/inspector, `--cli` mode) against a weather MCP server.
// Each check runs the real `mcp-inspector --cli` binary as a child process and judges its
// JSON output (`--format json -q`: the result on stdout, an error envelope on stderr).
//
//   node inspector-cli.mjs http  <url>
//   node inspector-cli.mjs stdio <command> [args...]
//
// Prints `ok  inspector <transport> <check>` or `FAIL inspector <transport> <check>: why` per
// check; exits 1 if any check failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TITLES = {
  'realtime-api': 'Realtime API',
  'forecast-api': 'Forecast API',
  'history-api': 'History API',
  'search-api': 'Search API',
  'ip-lookup-api': 'IP Lookup API',
};
const TIMEOUT_MS = 60_000;

const [mode, ...target] = process.argv.slice(2);
if (!['http', 'stdio'].includes(mode) || target.length === 0) {
  console.error('usage: inspector-cli.mjs http <url> | stdio <command> [args...]');
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkg = dirname(require.resolve('@modelcontextprotocol/inspector/package.json'));
const launcher = join(pkg, require(join(pkg, 'package.json')).bin['mcp-inspector']);
// Keep the Inspector's catalog, client config and storage out of $HOME.
const state = join(here, '.work', 'inspector');
mkdirSync(state, { recursive: true });
const env = {
  ...process.env,
  MCP_CATALOG_PATH: join(state, 'mcp.json'),
  MCP_CLIENT_CONFIG_PATH: join(state, 'client.json'),
  MCP_STORAGE_DIR: join(state, 'storage'),
  NO_COLOR: '1',
};

function inspector(...args) {
  const where = mode === 'http' ? [target[0], '--transport', 'http'] : ['--transport', 'stdio'];
  const tail = mode === 'stdio' ? ['--', ...target] : [];
  const argv = [launcher, '--cli', ...where, ...args, '--format', 'json', '-q', ...tail];
  const r = spawnSync(process.execPath, argv, { env, encoding: 'utf8', timeout: TIMEOUT_MS });
  const parse = (s) => {
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, out: parse(r.stdout), err: parse(r.stderr.trim().split('\n').pop() ?? '') };
}

let failed = 0;
function check(name, fn) {
  try {
    fn();
    console.log(`ok  inspector ${mode} ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL inspector ${mode} ${name}: ${e.message}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const show = (v) => (typeof v === 'string' ? v.trim() : JSON.stringify(v))?.slice(0, 300);
const ran = (r) => `exit ${r.status ?? r.signal}; stdout ${show(r.stdout)}; stderr ${show(r.stderr)}`;

const list = inspector('--method', 'tools/list');
const tools = list.out?.result?.tools ?? [];
const byName = new Map(tools.map((t) => [t.name, t]));
check('tools/list has the five weather tools', () => {
  assert(list.status === 0 && list.out, ran(list));
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

const call = inspector('--method', 'tools/call', '--tool-name', 'realtime-api', '--tool-args-json', '{"query_q":"London"}');
const res = call.out?.result;
check('tools/call realtime-api is not an error', () => {
  assert(call.status === 0 && res, ran(call));
  assert(!res.isError, show(res));
});
check('tools/call realtime-api text location.name == London', () => {
  const text = res?.content?.find((c) => c.type === 'text')?.text;
  assert(text !== undefined, `no text content: ${show(res?.content)}`);
  const name = JSON.parse(text)?.location?.name;
  assert(name === 'London', `location.name ${show(name)}`);
});
check('tools/call realtime-api structuredContent location.name == London', () => {
  const name = res?.structuredContent?.location?.name;
  assert(name === 'London', `structuredContent ${show(res?.structuredContent)}`);
});

// The Inspector surfaces a JSON-RPC error as exit 1 with the error envelope
// {"error":{"code":"error","message":<the JSON-RPC message>}} on stderr: it drops the numeric
// code (a TS SDK server's own message carries it as "MCP error -32602: …"; rmcp's does not).
// A tool result with isError:true is exit 5 (`tool_is_error`), an unknown tool exit 5
// (`tool_not_found`), so exit 1 + "error" is the JSON-RPC error; the message must name a
// missing argument or the code.
const bad = inspector('--method', 'tools/call', '--tool-name', 'forecast-api');
check('tools/call forecast-api without required args is a JSON-RPC error (code not shown)', () => {
  assert(bad.status === 1 && bad.err?.error?.code === 'error', ran(bad));
  assert(/-32602|query_q|query_days/.test(bad.err.error.message ?? ''), ran(bad));
});

process.exit(failed ? 1 : 0);
