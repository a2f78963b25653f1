// A real OpenID provider (npm oidc-provider) for toolgate's OAuth interop tests.
// TEST-ONLY: the keys in keys.json and the client secrets below are public; never reuse them.
//
//   node provider.mjs [PORT]      (or OIDC_PORT=PORT; 0 or nothing picks a free port)
//
// Listens on 127.0.0.1 only, issuer http://127.0.0.1:PORT, prints `READY <issuer>` on stdout
// once listening; one line per request on stderr. See README.md beside this file.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.OIDC_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bad port: ${process.argv[2] ?? process.env.OIDC_PORT}`);
  process.exit(2);
}
const jwks = JSON.parse(readFileSync(new URL('./keys.json', import.meta.url), 'utf8'));

const SCOPES = ['mcp:access', 'mcp:admin'];
const noGrants = { grant_types: [], response_types: [], redirect_uris: [] };
const clients = [
  // The resource server's own clients: they only introspect.
  { client_id: 'toolgate-rs', client_secret: 'toolgate-rs-secret', token_endpoint_auth_method: 'client_secret_basic', ...noGrants },
  { client_id: 'toolgate-rs-post', client_secret: 'toolgate-rs-post-secret', token_endpoint_auth_method: 'client_secret_post', ...noGrants },
  // A machine client: client_credentials.
  {
    client_id: 'mcp-cc',
    client_secret: 'mcp-cc-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: SCOPES.join(' '),
  },
  // A public client for authorization code + PKCE. Native: any port on the loopback redirect.
  {
    client_id: 'mcp-public',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
    scope: `openid offline_access ${SCOPES.join(' ')}`,
  },
];

// Resource indicators: any http URL on 127.0.0.1 or localhost is a known resource server.
// `?opaque=1` in it asks for opaque tokens (checked by introspection) whose audience is the
// URL without that parameter; every other resource gets an RS256 at+jwt with aud = the URL.
function resourceServerInfo(indicator) {
  const url = URL.parse(indicator);
  if (!url || url.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new errors.InvalidTarget(`unknown resource ${indicator}: only http://127.0.0.1 and http://localhost URLs`);
  }
  const common = { scope: SCOPES.join(' '), accessTokenTTL: 3600 };
  if (url.searchParams.get('opaque') === '1') {
    url.searchParams.delete('opaque');
    return { ...common, audience: url.href, accessTokenFormat: 'opaque' };
  }
  return { ...common, audience: indicator, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
}

const configuration = {
  clients,
  jwks,
  scopes: ['openid', 'offline_access', ...SCOPES],
  claims: { openid: ['sub'] },
  cookies: { keys: ['toolgate-interop-test-cookie-key'] },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
  pkce: { required: (ctx, client) => client.clientAuthMethod === 'none' },
  ttl: {
    AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
    ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
    AuthorizationCode: 60,
    Grant: 3600,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: 86400,
    Session: 86400,
  },
  features: {
    devInteractions: { enabled: true }, // any login / password is accepted; consent is a button
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      allowedPolicy: async (ctx, client) => client.clientAuthMethod !== 'none',
    },
    revocation: { enabled: true },
    registration: { enabled: true }, // open dynamic client registration (no initial token)
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => undefined,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, indicator) => resourceServerInfo(indicator),
    },
  },
};

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  provider.use(async (ctx, next) => {
    await next();
    console.error(`${new Date().toISOString()} ${ctx.method} ${ctx.originalUrl} ${ctx.status}`);
  });
  server.on('request', provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
});
server.on('error', (err) => {
  console.error(`listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
