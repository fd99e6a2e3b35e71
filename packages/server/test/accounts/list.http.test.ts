// GET /v2/accounts: the app's linked accounts, each filter a partner or an operator needs, Mono's
// paging block, validation that names the bad parameter, and nothing of another app's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BUSINESS,
  call,
  databases,
  exchange,
  type HttpResult,
  link,
  PASSWORD,
  resetLogin,
  SANDBOX,
  settle,
  startTestServer,
  type TestServer,
} from '@relink/testkit';
import { ISO, step, v2Session } from '../support/linking.ts';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

for (const kind of databases()) {
  describe(`[${kind}] the accounts list`, () => {
    let server: TestServer;
    let key: string;
    let otherKey: string;
    /** In the order they were linked, an hour apart: a1..a4 live, gone unlinked. */
    const ids = { a1: '', a2: '', a3: '', a4: '', gone: '' };
    const linkedAt: Record<string, number> = {};
    let ada = '';

    before(async () => {
      server = await startTestServer(kind);
      key = (await server.createApp('Lister')).secretKey;
      otherKey = (await server.createApp('Other')).secretKey;
      const linkOne = async (name: keyof typeof ids, linking: () => Promise<string>) => {
        linkedAt[name] = server.clock.now();
        ids[name] = await linking();
        await settle(server);
        server.clock.advance(HOUR);
      };
      const adaObi = { name: 'Ada Obi', email: 'ada.list@example.com' };
      await linkOne('a1', () => link(server, key, 'user_good', { customer: adaObi }));
      await linkOne('a2', () => link(server, key, 'user_otp', { customer: { name: 'Bola Ade', email: 'bola.list@example.com' } }));
      await linkOne('a3', async () => {
        const session = await v2Session(server, key, adaObi, BUSINESS);
        const done = await step(server, key, 'v2', 'login', session, { username: 'user_good', password: PASSWORD });
        assert.equal(done.body.responseCode, 99, done.text);
        return exchange(server, key, done.body.data.code, '/v2/accounts/auth');
      });
      await linkOne('a4', () => link(server, key, 'user_question', { customer: { name: 'Chidi Eze', email: 'chidi.list@example.com' } }));
      await linkOne('gone', () => link(server, key, 'user_good+gone', { customer: { name: 'Dayo Ola', email: 'dayo.list@example.com' } }));
      assert.equal((await call(server.url, 'POST', `/v2/accounts/${ids.gone}/unlink`, { key })).status, 200);
      await resetLogin(server, key, ids.a2);
      ada = (await call(server.url, 'GET', `/v2/accounts/${ids.a1}`, { key })).body.data.customer.id;
    });
    after(() => server.stop());

    const list = async (query = '', as = key) => {
      const res = await call(server.url, 'GET', `/v2/accounts${query}`, { key: as });
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body as {
        status: string;
        message: string;
        timestamp: string;
        data: any[];
        meta: { total: number; page: number; previous: string | null; next: string | null };
      };
    };
    const idsOf = async (query: string) => (await list(query)).data.map((a) => a.id);

    test('every live account of the app, oldest link first, each as Mono lists it with its state beside it', async () => {
      const body = await list();
      assert.equal(body.status, 'successful');
      assert.match(body.timestamp, ISO);
      assert.deepEqual(
        body.data.map((a) => a.id),
        [ids.a1, ids.a2, ids.a3, ids.a4],
      );
      assert.deepEqual(body.meta, { total: 4, page: 1, previous: null, next: null });
      const item = body.data[0];
      assert.deepEqual(Object.keys(item), [
        'id',
        'name',
        'account_number',
        'currency',
        'balance',
        'type',
        'bvn',
        'auth_method',
        'status',
        'institution',
        'customer',
        'data_status',
        'retrieved_data',
        'reauth_required',
        'last_synced_at',
        'last_sync_error',
        'created_at',
        'updated_at',
      ]);
      // The same account as GET /v2/accounts/{id} tells it.
      for (const listed of body.data) {
        const one = (await call(server.url, 'GET', `/v2/accounts/${listed.id}`, { key })).body.data;
        const { institution, ...account } = one.account;
        assert.deepEqual(
          { ...account, institution: { name: institution.name, bank_code: institution.bank_code, type: institution.type } },
          {
            id: listed.id,
            name: listed.name,
            currency: listed.currency,
            type: listed.type,
            account_number: listed.account_number,
            balance: listed.balance,
            bvn: listed.bvn,
            institution: { name: listed.institution.name, bank_code: listed.institution.bank_code, type: listed.institution.type },
          },
        );
        assert.equal(listed.customer.id, one.customer.id);
        assert.equal(listed.auth_method, one.meta.auth_method);
        assert.equal(listed.data_status, one.meta.data_status);
        assert.equal(listed.status, one.meta.data_status);
        assert.deepEqual(listed.retrieved_data, one.meta.retrieved_data);
        assert.equal(listed.reauth_required, one.meta.reauth_required);
        assert.equal(listed.last_synced_at, one.meta.last_synced_at);
        assert.equal(listed.last_sync_error, one.meta.last_sync_error);
      }
      assert.deepEqual(item.institution, { id: SANDBOX, name: 'Relink Sandbox Bank', bank_code: '998', type: 'PERSONAL_BANKING' });
      assert.deepEqual(item.customer, { id: ada, name: 'Ada Obi' });
      assert.equal(body.data[2].institution.id, BUSINESS);
      assert.deepEqual(body.data[2].customer, { id: ada, name: 'Ada Obi' });
      assert.equal(body.data[1].customer.name, 'Bola Ade');
      assert.equal(item.created_at, iso(linkedAt.a1!));
      assert.match(item.updated_at, ISO);
    });

    test('another app sees none of them', async () => {
      for (const as of [otherKey, (await server.createApp('Live other', { live: true })).secretKey]) {
        const body = await list('', as);
        assert.deepEqual(body.data, []);
        assert.deepEqual(body.meta, { total: 0, page: 1, previous: null, next: null });
        assert.deepEqual((await list(`?customer=${ada}`, as)).data, []);
      }
    });

    test('reauth_required, institution, customer', async () => {
      assert.deepEqual(await idsOf('?reauth_required=true'), [ids.a2]);
      assert.deepEqual(await idsOf('?reauth_required=false'), [ids.a1, ids.a3, ids.a4]);
      assert.equal((await list('?reauth_required=true')).data[0].reauth_required, true);
      assert.deepEqual(await idsOf(`?institution=${BUSINESS}`), [ids.a3]);
      assert.deepEqual(await idsOf(`?institution=${SANDBOX}`), [ids.a1, ids.a2, ids.a4]);
      assert.deepEqual(await idsOf(`?institution=${'0'.repeat(24)}`), []);
      assert.deepEqual(await idsOf(`?customer=${ada}`), [ids.a1, ids.a3]);
      assert.deepEqual(await idsOf(`?customer=${ada}&institution=${BUSINESS}`), [ids.a3]);
      assert.deepEqual(await idsOf(`?customer=${ada}&reauth_required=true`), []);
    });

    test('linked_since and linked_before: ISO date-times, ISO dates and DD-MM-YYYY', async () => {
      assert.deepEqual(await idsOf(`?linked_since=${iso(linkedAt.a2!)}`), [ids.a2, ids.a3, ids.a4]);
      assert.deepEqual(await idsOf(`?linked_before=${iso(linkedAt.a3!)}`), [ids.a1, ids.a2]);
      assert.deepEqual(await idsOf(`?linked_since=${iso(linkedAt.a2!)}&linked_before=${iso(linkedAt.a3!)}`), [ids.a2]);
      // A zone other than Z: the same instant.
      const lagos = new Date(linkedAt.a4! + HOUR).toISOString().replace('Z', '+01:00').replace(/\.\d+/, '');
      assert.deepEqual(await idsOf(`?linked_since=${encodeURIComponent(lagos)}`), [ids.a4]);
      const day = new Date(linkedAt.a1!);
      const ymd = day.toISOString().slice(0, 10);
      const dmy = `${ymd.slice(8, 10)}-${ymd.slice(5, 7)}-${ymd.slice(0, 4)}`;
      const startOfDay = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
      const expected = [ids.a1, ids.a2, ids.a3, ids.a4].filter((_, i) => linkedAt[`a${i + 1}`]! >= startOfDay);
      assert.deepEqual(await idsOf(`?linked_since=${ymd}`), expected);
      assert.deepEqual(await idsOf(`?linked_since=${dmy}`), expected);
      const tomorrow = new Date(server.clock.now() + 24 * HOUR).toISOString().slice(0, 10);
      assert.deepEqual(await idsOf(`?linked_since=${tomorrow}`), []);
    });

    test('synced_since and not_synced_since, against each account’s last_synced_at', async () => {
      const all = (await list()).data;
      for (const at of [linkedAt.a1!, linkedAt.a3!, linkedAt.a4!, server.clock.now()]) {
        const synced = all.filter((a) => a.last_synced_at !== null && Date.parse(a.last_synced_at) >= at).map((a) => a.id);
        const stale = all.filter((a) => a.last_synced_at === null || Date.parse(a.last_synced_at) < at).map((a) => a.id);
        assert.deepEqual(await idsOf(`?synced_since=${iso(at)}`), synced, `synced since ${iso(at)}`);
        assert.deepEqual(await idsOf(`?not_synced_since=${iso(at)}`), stale, `not synced since ${iso(at)}`);
      }
      // The linking times split them: each account synced when it was linked.
      assert.deepEqual(await idsOf(`?synced_since=${iso(linkedAt.a3!)}`), [ids.a3, ids.a4]);
      assert.deepEqual(await idsOf(`?not_synced_since=${iso(linkedAt.a3!)}`), [ids.a1, ids.a2]);
    });

    test("Mono's paging block: page and limit, links to the neighbours that keep the filters", async () => {
      const second = await list('?page=2&limit=1');
      assert.deepEqual(
        second.data.map((a) => a.id),
        [ids.a2],
      );
      assert.deepEqual(second.meta, {
        total: 4,
        page: 2,
        previous: `${server.url}/v2/accounts?page=1&limit=1`,
        next: `${server.url}/v2/accounts?page=3&limit=1`,
      });
      const filtered = await list('?reauth_required=false&limit=2');
      assert.equal(filtered.meta.next, `${server.url}/v2/accounts?reauth_required=false&page=2&limit=2`);
      assert.equal(filtered.meta.previous, null);
      // Following `next` to the end reads every account once, in order.
      const seen: string[] = [];
      let url: string | null = `${server.url}/v2/accounts?limit=3`;
      for (let pages = 0; url !== null; pages++) {
        assert.ok(pages < 5, 'paging ends');
        const res: HttpResult = await call(url, 'GET', '', { key });
        seen.push(...res.body.data.map((a: { id: string }) => a.id));
        url = res.body.meta.next;
      }
      assert.deepEqual(seen, [ids.a1, ids.a2, ids.a3, ids.a4]);
      const beyond = await list('?page=9&limit=2');
      assert.deepEqual(beyond.data, []);
      assert.deepEqual(beyond.meta, { total: 4, page: 9, previous: `${server.url}/v2/accounts?page=8&limit=2`, next: null });
      // The default page holds 20.
      assert.equal((await list('?page=1')).data.length, 4);
    });

    test('an unlinked account is in no list', async () => {
      for (const query of ['', '?reauth_required=false', `?linked_since=${iso(linkedAt.gone!)}`, '?not_synced_since=2100-01-01', '?limit=100']) {
        assert.ok(!(await idsOf(query)).includes(ids.gone), query);
      }
      assert.deepEqual(await idsOf(`?linked_since=${iso(linkedAt.gone!)}`), []);
    });

    test('a bad parameter is a 400 that names it', async () => {
      const cases: [string, RegExp][] = [
        ['?limit=0', /query\.limit must be >= 1/],
        ['?limit=101', /query\.limit must be <= 100/],
        ['?page=0', /query\.page must be >= 1/],
        ['?page=100001', /query\.page must be <= 100000/],
        ['?page=two', /query\.page must be integer/],
        ['?reauth_required=maybe', /query\.reauth_required must be boolean/],
        ['?institution=gtbank', /query\.institution must match pattern/],
        ['?customer=ada@example.com', /query\.customer must match pattern/],
        ['?data_status=DONE', /query\.data_status must be one of "AVAILABLE", "PARTIAL", "UNAVAILABLE", "FAILED", "PROCESSING"/],
        ['?linked_since=yesterday', /query\.linked_since must be an ISO 8601 date .* \(got "yesterday"\)/],
        ['?linked_before=31-02-2026', /query\.linked_before must be an ISO 8601 date/],
        ['?synced_since=2026-13-01', /query\.synced_since must be an ISO 8601 date/],
        ['?not_synced_since=2026-01-31T09:00:00', /query\.not_synced_since must be an ISO 8601 date/],
        [`?linked_since=${'9'.repeat(41)}`, /query\.linked_since must NOT have more than 40 characters/],
        ['?linked_since=2026-02-01&linked_before=2026-01-01', /query\.linked_since must be earlier than query\.linked_before/],
      ];
      for (const [query, message] of cases) {
        const res = await call(server.url, 'GET', `/v2/accounts${query}`, { key });
        assert.equal(res.status, 400, `${query}: ${res.text}`);
        assert.equal(res.body.code, 'INVALID_INPUT', query);
        assert.equal(res.body.data, null, query);
        assert.match(res.body.message, message, query);
      }
    });

    test('data_status: a link whose first sync has not run is PROCESSING', async () => {
      assert.deepEqual(await idsOf('?data_status=PROCESSING'), []);
      assert.deepEqual(await idsOf('?data_status=AVAILABLE'), [ids.a1, ids.a2, ids.a3, ids.a4]);
      // Linked without letting its first sync run: the server wakes the sync itself, so hold it off.
      const fresh = await server.services.sync
        .stop()
        .then(() => link(server, key, 'user_good+fresh', { customer: { name: 'Efe', email: 'efe.list@example.com' } }));
      assert.deepEqual(await idsOf('?data_status=PROCESSING'), [fresh]);
      assert.equal((await list('?data_status=PROCESSING')).data[0].status, 'PROCESSING');
      assert.deepEqual(await idsOf('?data_status=FAILED'), []);
    });
  });
}
