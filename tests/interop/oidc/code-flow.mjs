// Authorization code + PKCE with the public client `mcp-public`, driven headlessly (see
// headless-login.mjs): prints the access token alone.
//
//   node code-flow.mjs <issuer> <resource> [scope] [login]
//
// scope defaults to `mcp:access`, login to `alice` (the token's `sub`). Exit 1 on failure.
import { createHash, randomBytes } from 'node:crypto';

import { authorize } from './headless-login.mjs';

const [issuer, resource, scope = 'mcp:access', login = 'alice'] = process.argv.slice(2);
if (!issuer || !resource) {
  console.error('usage: node code-flow.mjs <issuer> <resource> [scope] [login]');
  process.exit(2);
}
const clientId = 'mcp-public';
const redirectUri = 'http://127.0.0.1:9/callback'; // never contacted: the code is read off the redirect

try {
  const meta = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const auth = new URL(meta.authorization_endpoint);
  Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    resource,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).forEach(([k, v]) => auth.searchParams.set(k, v));

  const callback = await authorize(auth, redirectUri, login);
  if (callback.searchParams.get('error')) throw new Error(`authorization error: ${callback.search}`);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = callback.searchParams.get('code');

  const tokenRes = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier, resource,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const json = await tokenRes.json().catch(() => ({}));
  if (!tokenRes.ok || !json.access_token) throw new Error(`token request: HTTP ${tokenRes.status} ${JSON.stringify(json)}`);
  process.stdout.write(`${json.access_token}\n`);
} catch (err) {
  console.error(`code flow failed: ${err.message}`);
  process.exit(1);
}
