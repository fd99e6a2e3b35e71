// Mono's customer resource (/v2/customers): create, retrieve, list, update and delete, a
// customer's accounts, sessions that link for a customer by id, emails unique per app,
// validation that names the field, another app's key answered 404, and no personal detail in
// a log line or in the customers table's own columns (the KYC number is sealed in the vault).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, databases, type HttpResult, link, OTP, PASSWORD, settle, startTestServer, type TestServer } from '@relink/testkit';
import { ISO, step, v2Session } from '../support/linking.ts';

const CUSTOMER_KEYS = [
  'id',
  'type',
  'name',
  'first_name',
  'last_name',
  'business_name',
  'email',
  'phone',
  'address',
  'identification_type',
  'identification_no',
  'bvn',
  'created_at',
  'updated_at',
];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const kind of databases()) {
  describe(`[${kind}] customers`, () => {
    let server: TestServer;
    let key: string;
    let otherKey: string;
    /** Every personal detail these tests send: none may reach a log line. */
    const personal = new Set<string>();
    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp('Customers')).secretKey;
      otherKey = (await server.createApp('Other')).secretKey;
    });
    after(() => server.stop());

    const api = (method: string, path: string, body?: unknown, as = key) =>
      call(server.url, method, path, { key: as, ...(body === undefined ? {} : { body }) });
    let serial = 0;
    /** A new individual's body: its email, phone and BVN unique to this call. */
    const someone = (extra: Record<string, unknown> = {}) => {
      serial++;
      const body = {
        email: `person${serial}.${kind}@example.com`,
        first_name: 'Samuel',
        last_name: `Olamide${serial}`,
        phone: `0801234${String(serial).padStart(4, '0')}`,
        address: `${serial} Agungi, Lagos`,
        identity: { type: 'bvn', number: `2234567${String(serial).padStart(4, '0')}` },
        ...extra,
      };
      for (const value of [body.email, body.phone, body.address, body.last_name, (body.identity as { number: string }).number]) personal.add(value as string);
      return body;
    };
    const create = async (body: Record<string, unknown>) => {
      const res = await api('POST', '/v2/customers', body);
      assert.equal(res.status, 201, res.text);
      // A second apart, so the list's order (oldest first) is the order of these calls.
      server.clock.advance(1000);
      return res.body.data as Record<string, any>;
    };
    const refused = (res: HttpResult, status: number, code: string, message?: RegExp) => {
      assert.equal(res.status, status, res.text);
      assert.equal(res.body.status, 'failed', res.text);
      assert.equal(res.body.code, code, res.text);
      assert.equal(res.body.data, null);
      if (message) assert.match(res.body.message, message);
    };

    test("create an individual: 201 in Mono's shape, the KYC number sealed in the vault and in no column", async () => {
      const body = someone();
      const res = await api('POST', '/v2/customers', body);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.status, 'successful');
      assert.equal(res.body.message, 'Created customer successfully');
      assert.match(res.body.timestamp, ISO);
      const c = res.body.data;
      assert.deepEqual(Object.keys(c), CUSTOMER_KEYS);
      assert.match(c.id, /^[0-9a-f]{24}$/);
      assert.deepEqual(
        { ...c, id: '', created_at: '', updated_at: '' },
        {
          id: '',
          type: 'individual',
          name: `Samuel ${body.last_name}`,
          first_name: 'Samuel',
          last_name: body.last_name,
          business_name: null,
          email: body.email,
          phone: body.phone,
          address: body.address,
          identification_type: 'bvn',
          identification_no: body.identity.number,
          bvn: body.identity.number,
          created_at: '',
          updated_at: '',
        },
      );
      assert.match(c.created_at, ISO);
      assert.equal(c.updated_at, c.created_at);
      const row = await server.services.database.db.selectFrom('customers').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(body.identity.number), 'the number is in no column');
      assert.ok(row.identity_secret_id);
      const sealed = await server.services.database.db
        .selectFrom('vault_secrets')
        .selectAll()
        .where('id', '=', row.identity_secret_id)
        .executeTakeFirstOrThrow();
      assert.equal(sealed.purpose, 'customer_identity');
      assert.ok(!JSON.stringify(sealed).includes(body.identity.number), 'sealed, not stored as given');
      assert.deepEqual((await api('GET', `/v2/customers/${c.id}`)).body.data, c);
    });

    test("Mono's other spellings, a business, a NIN, and a form-encoded body", async () => {
      const camel = someone();
      const { first_name, last_name, ...rest } = camel;
      const c = await create({ ...rest, firstName: first_name, lastName: last_name });
      assert.equal(c.name, `Samuel ${last_name}`);
      assert.equal(c.first_name, 'Samuel');
      refused(await api('POST', '/v2/customers', someone({ firstName: 'Other' })), 400, 'INVALID_INPUT', /body\.first_name and body\.firstName .* differ/);

      const business = await create({
        email: `ledger.${kind}@example.com`,
        business_name: 'Ledger Foods Ltd',
        identity: { type: 'bvn', number: '22000000001' },
      });
      personal.add(`ledger.${kind}@example.com`);
      assert.equal(business.type, 'business');
      assert.equal(business.name, 'Ledger Foods Ltd');
      assert.equal(business.business_name, 'Ledger Foods Ltd');
      assert.equal(business.first_name, null);
      const director = await create({
        type: 'business',
        business_name: 'Kudi Ventures',
        first_name: 'Ada',
        last_name: 'Obi',
        email: `kudi.${kind}@example.com`,
      });
      assert.deepEqual([director.type, director.name, director.first_name], ['business', 'Kudi Ventures', 'Ada']);

      const nin = await create(someone({ identity: { type: 'nin', number: '12345678901' } }));
      assert.deepEqual([nin.identification_type, nin.identification_no, nin.bvn], ['nin', '12345678901', null]);

      const person = someone();
      const form = new URLSearchParams({
        email: person.email,
        first_name: person.first_name,
        last_name: person.last_name,
        phone: person.phone,
        'identity[type]': 'bvn',
        'identity[number]': person.identity.number,
      });
      const res = await call(server.url, 'POST', '/v2/customers', { key, raw: form.toString(), headers: FORM });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.data.bvn, person.identity.number);
      assert.equal(res.body.data.phone, person.phone);
    });

    test('an email names one customer of the app, whatever its case; another app may use it; racing creates make one', async () => {
      const body = someone();
      const first = await create(body);
      const again = await api('POST', '/v2/customers', { ...someone(), email: body.email.toUpperCase() });
      refused(again, 400, 'CUSTOMER_EXISTS', new RegExp(`Customer already exists: customer ${first.id} of this app has this email`));
      const elsewhere = await api('POST', '/v2/customers', body, otherKey);
      assert.equal(elsewhere.status, 201, elsewhere.text);
      assert.notEqual(elsewhere.body.data.id, first.id);

      const racing = someone();
      const answers = await Promise.all(Array.from({ length: 6 }, () => api('POST', '/v2/customers', racing)));
      assert.deepEqual(answers.map((r) => r.status).sort(), [201, 400, 400, 400, 400, 400]);
      for (const r of answers.filter((r) => r.status === 400)) assert.equal(r.body.code, 'CUSTOMER_EXISTS');
      const listed = (await api('GET', `/v2/customers?email=${encodeURIComponent(racing.email)}`)).body;
      assert.equal(listed.meta.total, 1);
      // The losers' sealed identities went with them.
      const sealed = await server.services.database.db.selectFrom('vault_secrets').select('id').where('purpose', '=', 'customer_identity').execute();
      const held = await server.services.database.db.selectFrom('customers').select('identity_secret_id').where('identity_secret_id', 'is not', null).execute();
      assert.equal(sealed.length, held.length);
    });

    test('a bad create or update is a 400 that names the field', async () => {
      const ok = someone();
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ ...ok, email: undefined }, /body\.email is required/],
        [{ ...ok, email: 'not-an-email' }, /body\.email must match format "email"/],
        [{ ...ok, last_name: undefined }, /body\.last_name is required for an individual customer/],
        [{ ...ok, first_name: undefined, last_name: undefined }, /body\.first_name and body\.last_name are required for an individual customer/],
        [{ ...ok, first_name: '' }, /body\.first_name must NOT have fewer than 1 characters/],
        [{ email: ok.email, type: 'business' }, /body\.business_name is required for a business customer/],
        [{ ...ok, business_name: 'Shop' }, /body\.business_name is for a business customer/],
        [{ ...ok, type: 'company' }, /body\.type must be one of "individual", "business"/],
        [{ ...ok, identity: { type: 'bvn', number: '1234567890' } }, /body\.identity\.number must match pattern/],
        [{ ...ok, identity: { type: 'bvn', number: '2234 567890' } }, /body\.identity\.number must match pattern/],
        [{ ...ok, identity: { type: 'passport', number: '22345678901' } }, /body\.identity\.type must be one of "bvn", "nin"/],
        [{ ...ok, identity: { number: '22345678901' } }, /body\.identity\.type is required/],
        [{ ...ok, phone: '0801-234-5678' }, /body\.phone must match pattern/],
        [{ ...ok, address: 'x'.repeat(101) }, /body\.address must NOT have more than 100 characters/],
        [{ ...ok, bvn: '22345678901' }, /body\.bvn is not allowed/],
      ];
      for (const [body, message] of cases) refused(await api('POST', '/v2/customers', JSON.parse(JSON.stringify(body))), 400, 'INVALID_INPUT', message);
      refused(await call(server.url, 'POST', '/v2/customers', { key, raw: '', headers: FORM }), 400, 'INVALID_INPUT', /body must be object/);

      const c = await create(someone());
      const patches: [unknown, RegExp][] = [
        [{}, /body must NOT have fewer than 1 properties/],
        [{ type: 'business' }, /body\.business_name is required for a business customer/],
        [{ phone: 'call me' }, /body\.phone must match pattern/],
        [{ email: 'nope' }, /body\.email must match format "email"/],
        [{ id: '0'.repeat(24) }, /body\.id is not allowed/],
      ];
      for (const [body, message] of patches) refused(await api('PATCH', `/v2/customers/${c.id}`, body), 400, 'INVALID_INPUT', message);
      refused(await call(server.url, 'PATCH', `/v2/customers/${c.id}`, { key }), 400, 'INVALID_INPUT', /body must be object/);
      for (const path of ['/v2/customers/nothex', '/v2/customers/NOTHEX/accounts'])
        refused(await api('GET', path), 400, 'INVALID_INPUT', /params\.id must match pattern/);
      assert.deepEqual((await api('GET', `/v2/customers/${c.id}`)).body.data, c, 'nothing refused changed it');
    });

    test('retrieve, and list a page at a time by email or phone', async () => {
      const made = [await create(someone()), await create(someone()), await create(someone())];
      const all = (await api('GET', '/v2/customers?limit=100')).body;
      assert.equal(all.status, 'successful');
      assert.deepEqual(Object.keys(all.data[0]), CUSTOMER_KEYS);
      assert.equal(all.meta.total, all.data.length);
      const ids = all.data.map((c: { id: string }) => c.id);
      assert.deepEqual(
        ids.slice(-3),
        made.map((c) => c.id),
        'oldest first',
      );
      const page = (await api('GET', `/v2/customers?limit=2&page=2`)).body;
      assert.deepEqual(
        page.data.map((c: { id: string }) => c.id),
        ids.slice(2, 4),
      );
      assert.deepEqual(page.meta, {
        total: all.meta.total,
        page: 2,
        previous: `${server.url}/v2/customers?page=1&limit=2`,
        next: `${server.url}/v2/customers?page=3&limit=2`,
      });
      const byEmail = (await api('GET', `/v2/customers?email=${encodeURIComponent(made[1]!.email.toUpperCase())}`)).body;
      assert.deepEqual(byEmail.data, [made[1]]);
      assert.equal(byEmail.meta.next, null);
      assert.deepEqual((await api('GET', `/v2/customers?phone=${made[2]!.phone}`)).body.data, [made[2]]);
      assert.deepEqual((await api('GET', '/v2/customers?phone=00000000')).body.data, []);
      refused(await api('GET', '/v2/customers?limit=101'), 400, 'INVALID_INPUT', /query\.limit must be <= 100/);
      refused(await api('GET', '/v2/customers?page=0'), 400, 'INVALID_INPUT', /query\.page must be >= 1/);
      refused(await api('GET', `/v2/customers/${'0'.repeat(24)}`), 404, 'CUSTOMER_NOT_FOUND', /No customer with id 0{24}/);
    });

    test('update: the fields sent replace the stored ones, in one go or not at all', async () => {
      const c = await create(someone());
      const other = await create(someone());
      const patched = await api('PATCH', `/v2/customers/${c.id}`, {
        phone: '+2348098765432',
        address: '12 Marina, Lagos',
        identity: { type: 'nin', number: '99999999999' },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.message, 'Customer updated successfully');
      const now = patched.body.data;
      assert.deepEqual(
        [now.phone, now.address, now.identification_type, now.identification_no, now.bvn, now.email, now.name],
        ['+2348098765432', '12 Marina, Lagos', 'nin', '99999999999', null, c.email, c.name],
      );
      assert.deepEqual((await api('GET', `/v2/customers/${c.id}`)).body.data, now);
      // Another customer's email: refused, and the phone sent with it is not kept either.
      refused(await api('PATCH', `/v2/customers/${c.id}`, { email: other.email, phone: '08000000000' }), 400, 'CUSTOMER_EXISTS', new RegExp(other.id));
      assert.equal((await api('GET', `/v2/customers/${c.id}`)).body.data.phone, '+2348098765432');
      const renamed = (await api('PATCH', `/v2/customers/${c.id}`, { email: `Renamed.${c.email}` })).body.data;
      assert.equal(renamed.email, `renamed.${c.email}`);
      personal.add(renamed.email);
      // Becoming a business needs its name; becoming an individual again drops it.
      const business = (await api('PATCH', `/v2/customers/${c.id}`, { type: 'business', business_name: 'Olamide Stores' })).body.data;
      assert.deepEqual([business.type, business.name, business.first_name], ['business', 'Olamide Stores', 'Samuel']);
      const person = (await api('PATCH', `/v2/customers/${c.id}`, { type: 'individual' })).body.data;
      assert.deepEqual([person.type, person.name, person.business_name], ['individual', c.name, null]);
      const lastName = (await api('PATCH', `/v2/customers/${c.id}`, { lastName: 'Adeyemi' })).body.data;
      assert.equal(lastName.name, 'Samuel Adeyemi');
      refused(await api('PATCH', `/v2/customers/${'0'.repeat(24)}`, { phone: '08000000000' }), 404, 'CUSTOMER_NOT_FOUND');
    });

    test('a session for customer {id} links to that customer; {name, email} finds it by email; its accounts', async () => {
      const c = await create(someone());
      const a1 = await link(server, key, 'user_good', { customer: { id: c.id } });
      server.clock.advance(1000);
      const a2 = await link(server, key, 'user_otp', { customer: { name: 'Whoever', email: c.email.toUpperCase() } });
      await settle(server);
      for (const a of [a1, a2]) assert.equal((await api('GET', `/v2/accounts/${a}`)).body.data.customer.id, c.id);
      const accounts = (await api('GET', `/v2/customers/${c.id}/accounts`)).body;
      assert.equal(accounts.status, 'successful');
      assert.deepEqual(
        accounts.data.map((a: { id: string; customer: unknown }) => [a.id, a.customer]),
        [
          [a1, { id: c.id, name: c.name }],
          [a2, { id: c.id, name: c.name }],
        ],
      );
      assert.deepEqual(accounts.meta, { total: 2, page: 1, previous: null, next: null });
      // The same items as the accounts list, and its filters and paging.
      assert.deepEqual(accounts.data, (await api('GET', `/v2/accounts?customer=${c.id}`)).body.data);
      const second = (await api('GET', `/v2/customers/${c.id}/accounts?limit=1&page=2`)).body;
      assert.deepEqual(
        second.data.map((a: { id: string }) => a.id),
        [a2],
      );
      assert.equal(second.meta.previous, `${server.url}/v2/customers/${c.id}/accounts?page=1&limit=1`);
      assert.deepEqual((await api('GET', `/v2/customers/${c.id}/accounts?reauth_required=true`)).body.data, []);
      refused(await api('GET', `/v2/customers/${c.id}/accounts?linked_since=soon`), 400, 'INVALID_INPUT', /query\.linked_since/);
      const empty = await create(someone());
      assert.deepEqual((await api('GET', `/v2/customers/${empty.id}/accounts`)).body.data, []);
      // The path names the customer: a `customer` in the query (the accounts list's filter) is not one here.
      assert.deepEqual((await api('GET', `/v2/customers/${empty.id}/accounts?customer=${c.id}`)).body.data, []);
      // A customer id the app does not have: the session is refused before anything starts.
      const res = await api('POST', '/v2/connect/session', {
        institution: '5f2d08be60b92e2888287000',
        auth_method: 'internet_banking',
        customer: { id: '0'.repeat(24) },
      });
      refused(res, 400, 'INVALID_INPUT', /customer\.id 0{24} is not a customer of this app/);
    });

    test('delete: refused while an account is linked; then erased, 404, its email free again', async () => {
      const body = someone();
      const c = await create(body);
      const account = await link(server, key, 'user_question', { customer: { id: c.id } });
      refused(
        await api('DELETE', `/v2/customers/${c.id}`),
        409,
        'CUSTOMER_HAS_ACCOUNTS',
        new RegExp(`Customer ${c.id} has 1 linked account: unlink it first \\(GET /v2/customers/${c.id}/accounts lists them`),
      );
      assert.equal((await api('GET', `/v2/customers/${c.id}`)).status, 200, 'still there');
      assert.equal((await api('POST', `/v2/accounts/${account}/unlink`)).status, 200);
      const sealedId = (await server.services.database.db.selectFrom('customers').select('identity_secret_id').where('id', '=', c.id).executeTakeFirstOrThrow())
        .identity_secret_id!;
      // Bodiless, and form-encoded with no body, as axios clients send a DELETE.
      const deleted = await call(server.url, 'DELETE', `/v2/customers/${c.id}`, { key, raw: '', headers: FORM });
      assert.equal(deleted.status, 200, deleted.text);
      assert.deepEqual({ ...deleted.body, timestamp: '' }, { status: 'successful', message: 'Deleted customer successfully', timestamp: '', data: null });
      for (const [method, path] of [
        ['GET', `/v2/customers/${c.id}`],
        ['PATCH', `/v2/customers/${c.id}`],
        ['DELETE', `/v2/customers/${c.id}`],
        ['GET', `/v2/customers/${c.id}/accounts`],
      ] as const) {
        refused(await api(method, path, method === 'PATCH' ? { phone: '08000000000' } : undefined), 404, 'CUSTOMER_NOT_FOUND', /No customer with id/);
      }
      assert.ok(!(await api('GET', '/v2/customers?limit=100')).body.data.some((x: { id: string }) => x.id === c.id));
      const row = await server.services.database.db.selectFrom('customers').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
      assert.deepEqual(
        [row.name, row.first_name, row.last_name, row.email, row.phone, row.address, row.identity_secret_id],
        [null, null, null, null, null, null, null],
        'erased',
      );
      assert.ok(row.deleted_at);
      assert.equal(await server.services.database.db.selectFrom('vault_secrets').select('id').where('id', '=', sealedId).executeTakeFirst(), undefined);
      const again = await create(body);
      assert.notEqual(again.id, c.id);
      // Linking for the deleted customer by id is refused; by its email, the new customer is found.
      refused(
        await api('POST', '/v2/connect/session', { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking', customer: { id: c.id } }),
        400,
        'INVALID_INPUT',
      );
    });

    test('a customer deleted while its link is under way fails the link, which names why and links nothing', async () => {
      const c = await create(someone());
      const session = await v2Session(server, key, { id: c.id });
      const login = await step(server, key, 'v2', 'login', session, { username: 'user_otp+late', password: PASSWORD });
      assert.equal(login.body.responseCode, 102, login.text);
      assert.equal((await api('DELETE', `/v2/customers/${c.id}`)).status, 200);
      const before = (await api('GET', '/v2/accounts?limit=100')).body.meta.total;
      const commit = await step(server, key, 'v2', 'commit', session, { otp: OTP });
      refused(commit, 404, 'CUSTOMER_NOT_FOUND', new RegExp(`The customer this session links for \\(${c.id}\\) was deleted; nothing was linked`));
      assert.equal((await api('GET', '/v2/accounts?limit=100')).body.meta.total, before);
    });

    test("another app's key: 404 on every customer route, and its lists hold none of them", async () => {
      const c = await create(someone());
      await link(server, key, 'user_good+mine', { customer: { id: c.id } });
      for (const [method, path, body] of [
        ['GET', `/v2/customers/${c.id}`, undefined],
        ['PATCH', `/v2/customers/${c.id}`, { phone: '08000000000' }],
        ['DELETE', `/v2/customers/${c.id}`, undefined],
        ['GET', `/v2/customers/${c.id}/accounts`, undefined],
      ] as const) {
        const theirs = await api(method, path, body, otherKey);
        const unknown = await api(method, path.replace(c.id, '0'.repeat(24)), body, otherKey);
        refused(theirs, 404, 'CUSTOMER_NOT_FOUND');
        assert.equal(theirs.body.message.replace(c.id, '<id>'), unknown.body.message.replace('0'.repeat(24), '<id>'), 'the same answer as an unknown id');
      }
      assert.ok(!(await api('GET', '/v2/customers?limit=100', undefined, otherKey)).text.includes(c.id));
      assert.deepEqual((await api('GET', `/v2/customers?email=${encodeURIComponent(c.email)}`, undefined, otherKey)).body.data, []);
      assert.deepEqual((await api('GET', `/v2/accounts?customer=${c.id}`, undefined, otherKey)).body.data, []);
      const session = await api(
        'POST',
        '/v2/connect/session',
        { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking', customer: { id: c.id } },
        otherKey,
      );
      refused(session, 400, 'INVALID_INPUT', /is not a customer of this app/);
      const still = (await api('GET', `/v2/customers/${c.id}`)).body.data;
      assert.deepEqual(still, c, 'untouched');
    });

    test('no personal detail reaches a log line', async () => {
      const c = await create(someone());
      await api('GET', `/v2/customers?email=${encodeURIComponent(c.email)}&phone=${c.phone}`);
      await api('POST', '/v2/customers', { ...someone(), email: c.email });
      const logs = server.logs.join('\n');
      assert.ok(logs.includes('/v2/customers?email=[redacted]&phone=[redacted]'), 'the list was logged, its filters redacted');
      for (const value of personal) assert.ok(!logs.includes(value), `${value} is in the log`);
    });
  });
}
