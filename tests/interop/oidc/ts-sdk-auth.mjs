// The official TypeScript SDK (@modelcontextprotocol/sdk, installed in tests/interop) against
// a weather MCP server that is an OAuth resource server.
//
//   node ts-sdk-auth.mjs bearer  <url> <label> <token>   # Authorization header via requestInit
//   node ts-sdk-auth.mjs refused <url> <label> <token>   # connecting must fail with HTTP 401
//   node ts-sdk-auth.mjs client-credentials <url> <label> <issuer>
//        # the SDK's ClientCredentialsProvider (mcp-cc): 401 → PRM → AS metadata → token
//   node ts-sdk-auth.mjs dcr <url> <label>
//        # the SDK's OAuth flow for a user: 401 → PRM → AS metadata → dynamic registration →
//        # authorization code + PKCE (login driven headlessly) → token → connect again
//
// Prints `ok  ts-sdk <label> <check>` or `FAIL ts-sdk <label> <check>: why`; exit 1 on a failure.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { authorize } from './headless-login.mjs';

const TIMEOUT_MS = 20_000;
const [mode, url, label, arg] = process.argv.slice(2);
if (!['bearer', 'refused', 'client-credentials', 'dcr'].includes(mode) || !url || !label) {
  console.error('usage: ts-sdk-auth.mjs bearer|refused <url> <label> <token> | client-credentials <url> <label> <issuer> | dcr <url> <label>');
  process.exit(2);
}
let failed = 0;
function report(name, ok, why = '') {
  if (ok) console.log(`ok  ts-sdk ${label} ${name}`);
  else {
    failed += 1;
    console.log(`FAIL ts-sdk ${label} ${name}: ${String(why).replace(/\s+/g, ' ').slice(0, 400)}`);
  }
}
const show = (v) => JSON.stringify(v)?.slice(0, 300);
const describe = (e) => `${e}${e?.code !== undefined ? ` (code ${e.code})` : ''}${e?.cause ? ` (cause: ${e.cause.message ?? e.cause})` : ''}`;
const opts = { timeout: TIMEOUT_MS };

async function exercise(client) {
  const { tools } = await client.listTools({}, opts);
  const names = tools.map((t) => t.name);
  report('tools/list has realtime-api', names.includes('realtime-api'), show(names));
  const res = await client.callTool({ name: 'realtime-api', arguments: { query_q: 'London' } }, undefined, opts);
  const text = res.content?.find((c) => c.type === 'text')?.text;
  let name;
  try { name = JSON.parse(text)?.location?.name; } catch { name = undefined; }
  report('tools/call realtime-api: location.name == London', !res.isError && name === 'London', show(res));
}

// A user's OAuth client: registers itself, keeps everything in memory.
class MemoryProvider {
  constructor(redirectUrl) {
    this.redirectUrl = redirectUrl;
    this.clientMetadata = {
      client_name: 'toolgate interop (ts-sdk)',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
    this.authorizationUrl = undefined;
  }
  clientInformation() { return this.info; }
  saveClientInformation(info) { this.info = info; }
  tokens() { return this.saved; }
  saveTokens(tokens) { this.saved = tokens; }
  redirectToAuthorization(authorizationUrl) { this.authorizationUrl = authorizationUrl; }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
}

async function main() {
  if (mode === 'bearer' || mode === 'refused') {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${arg}` } },
    });
    const client = new Client({ name: 'toolgate-interop-ts', version: '0.0.0' });
    try {
      await client.connect(transport, opts);
      if (mode === 'refused') {
        report('connect is refused with 401', false, 'connected');
      } else {
        report('connect with a Bearer header', true);
        await exercise(client);
      }
    } catch (e) {
      if (mode === 'refused') report('connect is refused with 401', e?.code === 401 || e instanceof UnauthorizedError, describe(e));
      else report('session', false, describe(e));
    } finally {
      await client.close().catch(() => {});
    }
    return;
  }

  if (mode === 'client-credentials') {
    const authProvider = new ClientCredentialsProvider({
      clientId: 'mcp-cc', clientSecret: 'mcp-cc-secret', scope: 'mcp:access', expectedIssuer: arg,
    });
    const client = new Client({ name: 'toolgate-interop-ts', version: '0.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider }), opts);
      const token = authProvider.tokens()?.access_token;
      report('connect via ClientCredentialsProvider (discovery from the 401)', !!token, 'no token saved');
      await exercise(client);
    } catch (e) {
      report('session', false, describe(e));
    } finally {
      await client.close().catch(() => {});
    }
    return;
  }

  // dcr: the first connect ends in the redirect to the authorization page.
  const redirectUrl = 'http://127.0.0.1:9/callback';
  const provider = new MemoryProvider(redirectUrl);
  let client = new Client({ name: 'toolgate-interop-ts', version: '0.0.0' });
  let transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  try {
    await client.connect(transport, opts);
    report('the first connect needs authorization', false, 'connected without a token');
    return;
  } catch (e) {
    report('the first connect needs authorization (UnauthorizedError)', e instanceof UnauthorizedError && !!provider.authorizationUrl, describe(e));
  }
  await client.close().catch(() => {});
  if (!provider.authorizationUrl) return;
  const authUrl = provider.authorizationUrl;
  report('registered dynamically', !!provider.info?.client_id, show(provider.info));
  report('authorization request names the resource, a scope and PKCE S256',
    authUrl.searchParams.get('resource') === url && !!authUrl.searchParams.get('scope')
      && authUrl.searchParams.get('code_challenge_method') === 'S256', authUrl.href);
  try {
    const callback = await authorize(authUrl, redirectUrl, 'carol');
    const code = callback.searchParams.get('code');
    report('login and consent give a code', !!code, callback.href);
    if (!code) return;
    await transport.finishAuth(code);
    report('token saved', !!provider.tokens()?.access_token, show(provider.tokens()));
    client = new Client({ name: 'toolgate-interop-ts', version: '0.0.0' });
    transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    await client.connect(transport, opts);
    report('connect with the user token', true);
    await exercise(client);
  } catch (e) {
    report('session', false, describe(e));
  } finally {
    await client.close().catch(() => {});
  }
}

try {
  await main();
} catch (e) {
  report('run', false, describe(e));
}
process.exit(failed ? 1 : 0);
