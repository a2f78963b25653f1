// Gets an access token from the test provider by client credentials and prints it alone.
//
//   node token.mjs <issuer> <client_id> <client_secret> <resource> [scope]
//
// scope defaults to `mcp:access`; pass '' to send none. A resource ending in `?opaque=1`
// gets an opaque token (see README.md). On failure: the error on stderr, exit 1.
const [issuer, clientId, secret, resource, scope = 'mcp:access'] = process.argv.slice(2);
if (!issuer || !clientId || secret === undefined || !resource) {
  console.error('usage: node token.mjs <issuer> <client_id> <client_secret> <resource> [scope]');
  process.exit(2);
}
try {
  const meta = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
  const body = new URLSearchParams({ grant_type: 'client_credentials', resource });
  if (scope) body.set('scope', scope);
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = {}; }
  if (!res.ok || !json.access_token) {
    console.error(`token request failed: HTTP ${res.status} ${text}`);
    process.exit(1);
  }
  process.stdout.write(`${json.access_token}\n`);
} catch (err) {
  console.error(`token request failed: ${err.message}`);
  process.exit(1);
}
