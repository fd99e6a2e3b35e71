// Existing Mono clients built on axios send bodiless POSTs as form-encoded with no body, and
// may send forms. Every POST route, read from the OpenAPI document, takes the empty form; the
// flows take form bodies, fields as strings validated like JSON.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, type HttpResult, OTP, SANDBOX, exchange, type ReauthServer, linkedAccount, resetLogin, startReauthServer } from '@relink/testkit';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const kind of databases()) {
  describe(`[${kind}] form-encoded requests`, () => {
    let server: ReauthServer;
    let key: string;
    before(async () => {
      server = await startReauthServer(kind);
      key = (await server.createApp('axios partner')).secretKey;
    });
    after(() => server.stop());

    const form = (path: string, raw: string, headers: Record<string, string> = {}) =>
      call(server.url, 'POST', path, { key, raw, headers: { ...FORM, ...headers } });
    const inEnvelope = (res: HttpResult, what: string) => {
      assert.notEqual(res.status, 415, `${what}: ${res.text}`);
      assert.ok(res.status < 500, `${what}: ${res.text}`);
      assert.ok(res.headers.get('x-request-id'), what);
      if (res.status >= 400) {
        assert.equal(res.body.status === 'failed' || typeof res.body.status === 'number', true, `${what}: ${res.text}`);
        assert.equal(typeof res.body.code, 'string', `${what}: ${res.text}`);
      }
    };

    test('every POST route takes a form-encoded request with no body', async () => {
      const id = await linkedAccount(server, key, 'user_good');
      const spec = (await call(server.url, 'GET', '/openapi.json')).body;
      const posts = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
        .filter(([, ops]) => 'post' in ops)
        .map(([path]) => path)
        // Unlinking goes last: it ends the account the other routes are called for.
        .sort((a, b) => Number(a.endsWith('/unlink')) - Number(b.endsWith('/unlink')));
      assert.ok(posts.length >= 20, `${posts.length} POST routes`);
      const bodiless = [
        '/accounts/{id}/sync',
        '/v2/accounts/{id}/sync',
        '/accounts/{id}/reauthorise',
        '/v2/accounts/{id}/reauthorise',
        '/v2/sandbox/accounts/{id}/reset-login',
        '/accounts/{id}/unlink',
        '/v2/accounts/{id}/unlink',
      ];
      for (const path of bodiless) assert.ok(posts.includes(path), path);
      let unlinked = false;
      for (const path of posts) {
        const url = path.replace('{id}', id).replace(/\{[^}]+\}/g, 'whd_doesnotexist0000000000000');
        const res = await form(url, '');
        inEnvelope(res, path);
        // The second unlink finds the account gone: a 404, and still no 415.
        if (bodiless.includes(path)) assert.equal(res.status, unlinked ? 404 : 200, `${path} takes no body: ${res.text}`);
        if (path.endsWith('/unlink')) unlinked = true;
      }
    });

    test('the seed flows with form bodies: session with customer[…], login, reset-login, reauth session, commit, code exchange', async () => {
      const created = await form(
        '/v2/connect/session',
        `institution=${SANDBOX}&auth_method=internet_banking&scope=financial_data&customer%5Bname%5D=Ada%20Obi&customer%5Bemail%5D=ada%40example.com`,
      );
      assert.equal(created.status, 200, created.text);
      const session = created.body.data.session.id;
      const login = await form('/v2/connect/login', 'username=user_otp&password=pass_good', { 'x-session-id': session });
      assert.equal(login.body.responseCode, 102, login.text);
      const done = await form('/v2/connect/commit', `otp=${OTP}`, { 'x-session-id': session });
      assert.equal(done.body.responseCode, 99, done.text);
      const exchanged = await form('/account/auth', `code=${done.body.data.code}`);
      assert.equal(exchanged.status, 200, exchanged.text);
      const id = exchanged.body.id;

      const reset = await form(`/v2/sandbox/accounts/${id}/reset-login`, 'reason=mfa_required');
      assert.equal(reset.body.data.reauth_required, true, reset.text);
      const token = (await form(`/accounts/${id}/reauthorise`, '')).body.token;
      const reauth = await form('/v1/connect/session', `reauth_token=${token}`);
      assert.equal(reauth.body.reauth.response_code, 102, reauth.text);
      const commit = await form('/v1/connect/commit', `otp=${OTP}`, { 'x-session-id': reauth.body.id });
      assert.equal(commit.body.responseCode, 99, commit.text);
      assert.equal(await exchange(server, key, commit.body.data.code), id);
    });

    test('a form is validated like JSON: bad fields are named, prototypes are out of reach, other media types are 415', async () => {
      const bad = await form('/v2/connect/session', 'institution=x&auth_method=internet_banking&customer%5Bemail%5D=not-an-email');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'INVALID_INPUT');
      const malformed = await form('/v2/connect/reauth/session', 'account%5Ba%5D%5Bb%5D=1');
      assert.equal(malformed.status, 400);
      assert.match(malformed.body.message, /form field name/);
      const proto = await form('/v2/connect/reauth/session', '__proto__%5Baccount%5D=6a1f2c3d4e5f60718293a4b5');
      assert.equal(proto.status, 400, proto.text);
      assert.equal(({} as Record<string, unknown>).account, undefined);
      const id = await linkedAccount(server, key, 'user_multi');
      await resetLogin(server, key, id);
      const twice = await form('/v2/connect/reauth/session', `account=${id}&account=${id}`);
      assert.equal(twice.status, 400, 'a repeated field is a list, not an account id');
      const xml = await call(server.url, 'POST', '/v2/connect/reauth/session', {
        key,
        raw: `<account>${id}</account>`,
        headers: { 'content-type': 'application/xml' },
      });
      assert.equal(xml.status, 415);
      assert.equal(xml.body.code, 'UNSUPPORTED_MEDIA_TYPE');
      const empty = await call(server.url, 'POST', `/v2/accounts/${id}/reauthorise`, { key, raw: '', headers: { 'content-type': 'application/xml' } });
      assert.equal(empty.status, 200, 'no body is no body, whatever its type');
    });
  });
}
