// Drives the provider's development login and consent pages with plain HTTP, as a browser
// would: follows the redirects from an authorization URL, signs in (any login is accepted),
// confirms consent, and returns the final redirect to the client (with `code` or `error`).
//
//   import { authorize } from './headless-login.mjs';
//   const callback = await authorize(authorizationUrl, redirectUri, 'alice'); // a URL

const MAX_STEPS = 20;

export async function authorize(authorizationUrl, redirectUri, login = 'alice') {
  const jar = new Map();
  async function request(url, init = {}) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
      signal: AbortSignal.timeout(10_000),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const [name, value] = [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
      const gone = !value || attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
      if (gone) jar.delete(name); else jar.set(name, value);
    }
    return res;
  }
  function formOf(html, base) {
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
    if (!action) throw new Error(`no form in page: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input[^>]*>/g)) {
      const name = m[0].match(/name="([^"]*)"/)?.[1];
      if (!name) continue;
      const value = (m[0].match(/value="([^"]*)"/)?.[1] ?? '').replaceAll('&amp;', '&');
      fields.set(name, { login, password: 'any' }[name] ?? value);
    }
    return { url: new URL(action.replaceAll('&amp;', '&'), base).href, fields };
  }

  let url = new URL(authorizationUrl).href;
  let res = await request(url);
  for (let step = 0; step < MAX_STEPS; step++) {
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      if (url.startsWith(redirectUri)) return new URL(url);
      res = await request(url);
    } else if (res.status === 200) {
      const form = formOf(await res.text(), url);
      url = form.url;
      res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.fields,
      });
    } else {
      throw new Error(`unexpected HTTP ${res.status} at ${url}: ${(await res.text()).slice(0, 300)}`);
    }
  }
  throw new Error(`no redirect to ${redirectUri} after ${MAX_STEPS} steps`);
}
