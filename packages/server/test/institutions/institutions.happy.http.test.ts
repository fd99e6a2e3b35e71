import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, databases, useServer } from '@relink/testkit';

for (const kind of databases()) {
  describe(`[${kind}] institutions`, () => {
    const server = useServer(kind);
    let key: string;
    before(async () => {
      key = (await server.createApp()).secretKey;
    });

    test('GET /v1/institutions and /coverage are bare arrays without a key', async () => {
      for (const path of ['/v1/institutions', '/coverage']) {
        const res = await call(server.url, 'GET', path);
        assert.equal(res.status, 200);
        assert.ok(Array.isArray(res.body));
        const bank = res.body.find((i: any) => i.name === 'Relink Sandbox Bank');
        assert.ok(bank, `${path} lists the sandbox bank`);
        assert.equal(bank.type, 'PERSONAL_BANKING');
        assert.match(bank._id, /^[0-9a-f]{24}$/);
        assert.deepEqual(
          bank.auth_methods.map((m: any) => m.type),
          ['internet_banking', 'mobile_banking'],
        );
        for (const method of bank.auth_methods) {
          assert.match(method._id, /^[0-9a-f]{24}$/);
          assert.deepEqual(
            method.ui.form.map((f: any) => f.name),
            ['username', 'password'],
          );
          assert.equal(method.ui.form[1].contentType, 'password');
        }
        for (const field of ['icon', 'identifier', 'primaryColor', 'country', 'bank_code']) assert.ok(field in bank, field);
        assert.ok(
          res.body.some((i: any) => i.type === 'BUSINESS_BANKING'),
          'a business banking institution',
        );
      }
    });

    test('GET /v3/institutions is an envelope in snake case and needs a key', async () => {
      assert.equal((await call(server.url, 'GET', '/v3/institutions?scope=financial_data')).status, 401);
      const res = await call(server.url, 'GET', '/v3/institutions?scope=financial_data', { key });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'successful');
      assert.equal(typeof res.body.message, 'string');
      assert.ok(!Number.isNaN(Date.parse(res.body.timestamp)));
      const bank = res.body.data.find((i: any) => i.name === 'Relink Sandbox Bank');
      assert.equal(bank.primary_color, '#0B6E4F');
      assert.equal(bank.nip_code, '999998');
      assert.deepEqual(bank.scope, [{ name: 'Financial Data', type: 'financial_data' }]);
      assert.ok(!('primaryColor' in bank));
    });

    test('v3 filters by auth method and bank code', async () => {
      const mobile = await call(server.url, 'GET', '/v3/institutions?auth_method=mobile_banking', { key });
      assert.deepEqual(
        mobile.body.data.map((i: any) => i.name),
        ['Relink Sandbox Bank'],
      );
      const business = await call(server.url, 'GET', '/v3/institutions?bank_code=997', { key });
      assert.deepEqual(
        business.body.data.map((i: any) => i.type),
        ['BUSINESS_BANKING'],
      );
      const none = await call(server.url, 'GET', '/v3/institutions?bank_code=000', { key });
      assert.deepEqual(none.body.data, []);
    });
  });
}
