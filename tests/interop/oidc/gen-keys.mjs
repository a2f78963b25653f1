// Writes keys.json: the provider's signing keys, a private JWKS. TEST-ONLY keys, committed on
// purpose so tokens survive provider restarts; never use them anywhere else.
// Run once: node gen-keys.mjs > keys.json
import { generateKeyPairSync, createHash } from 'node:crypto';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = privateKey.export({ format: 'jwk' });
// RFC 7638 thumbprint as the kid, so it is stable and derived from the key itself.
const kid = createHash('sha256')
  .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
  .digest('base64url');
const keys = { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] };
process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
