// Syncs whose bank answers arrive together are written in one transaction (again with a
// savepoint per account when one of them throws). One account whose writes fail half-way must
// leave the others synced and itself exactly as a failed sync always has: nothing of its sync
// written, no event, the sync postponed by 15 minutes and then run again. And the sealed
// identity is written again only when the bank's has changed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, type DatabaseKind, databases, startTestServer, type TestServer, link, partner, PASSWORD, SANDBOX, settle } from '@relink/testkit';
import type { AccountData, BankConnector, ConnectorContext, ConnectorState, FetchOutcome, FetchRequest } from '../../src/connectors/types.ts';
import { eventsOf } from '../support/linking.ts';

/** The sandbox bank, passed through; a subclass changes what `fetchData` answers. */
class SandboxThrough implements BankConnector {
  readonly name = 'sandbox';
  constructor(protected readonly delegate: BankConnector) {}
  login: BankConnector['login'] = (input, context) => this.delegate.login(input, context);
  answer: BankConnector['answer'] = (state, fields, context) => this.delegate.answer(state, fields, context);
  selectAccount: BankConnector['selectAccount'] = (state, accountNumber, context) => this.delegate.selectAccount(state, accountNumber, context);
  fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext): Promise<FetchOutcome> {
    return this.delegate.fetchData(state, accountNumber, request, context);
  }
}

/**
 * The sandbox bank, except that while `gate` is set its answers with data are held until
 * `gate.calls` of them have arrived and then all given in the same turn, so their writes share a batch;
 * the account numbered `gate.broken` gets data its writes cannot store (a transaction without
 * a narration), after the account row itself has been updated.
 */
class GatedBank extends SandboxThrough {
  gate: { calls: number; broken: string; waiting: (() => void)[] } | undefined;
  override async fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext): Promise<FetchOutcome> {
    const gate = this.gate;
    const outcome = await this.delegate.fetchData(state, accountNumber, request, context);
    if (!gate || outcome.kind !== 'ok') return outcome;
    await new Promise<void>((resolve) => {
      gate.waiting.push(resolve);
      if (gate.waiting.length === gate.calls) for (const release of gate.waiting) release();
    });
    if (accountNumber !== gate.broken) return outcome;
    const data: AccountData = {
      ...outcome.data,
      account: { ...outcome.data.account, name: 'WRITTEN BY THE BROKEN SYNC' },
      transactions: [{ ...outcome.data.transactions[0]!, id: 'broken-1', narration: null as unknown as string }],
    };
    return { kind: 'ok', data };
  }
}

/** The sandbox bank, answering with `email` in the identity when it is set. */
class IdentityBank extends SandboxThrough {
  email: string | undefined;
  override async fetchData(state: ConnectorState, accountNumber: string, request: FetchRequest, context: ConnectorContext): Promise<FetchOutcome> {
    const outcome = await this.delegate.fetchData(state, accountNumber, request, context);
    if (outcome.kind !== 'ok' || this.email === undefined) return outcome;
    return { kind: 'ok', data: { ...outcome.data, identity: { ...outcome.data.identity, email: this.email } } };
  }
}

const DAY_MS = 24 * 3_600_000;

for (const kind of databases()) {
  describe(`[${kind}] the sealed identity is written when the bank's changes, not on every sync`, () => {
    const setup = serverWith(kind, (sandbox) => new IdentityBank(sandbox), 'identity');

    test('a sync with the same identity leaves its vault record as it was; a changed one is resealed and served', async () => {
      const { server, bank, key } = setup;
      const { db } = server.services.database;
      const id = await link(server, key, 'user_good');
      await settle(server);
      const record = async () => {
        const account = await db.selectFrom('accounts').select(['identity', 'last_synced_at']).where('id', '=', id).executeTakeFirstOrThrow();
        assert.match(account.identity ?? '', /^vault:/);
        const sealed = await db
          .selectFrom('vault_secrets')
          .select(['id', 'wrapped_key', 'ciphertext', 'updated_at'])
          .where('id', '=', account.identity!.slice('vault:'.length))
          .executeTakeFirstOrThrow();
        return { sealed, syncedAt: account.last_synced_at };
      };
      // The identity as served; its meta (when the data was synced) moves with every sync by design.
      const identity = async () => {
        const { meta: _meta, ...served } = (await call(server.url, 'GET', `/accounts/${id}/identity`, { key })).body;
        return served;
      };
      const first = await record();
      const served = await identity();
      assert.match(served.email, /@example\.com$/);

      server.clock.advance(DAY_MS);
      await settle(server);
      const same = await record();
      assert.equal(same.syncedAt, server.clock.now(), 'the account was synced again');
      assert.deepEqual(same.sealed, first.sealed, 'the unchanged identity was not sealed again');
      assert.deepEqual(await identity(), served);

      bank.email = 'ada.new@example.org';
      server.clock.advance(DAY_MS);
      await settle(server);
      const changed = await record();
      assert.equal(changed.syncedAt, server.clock.now());
      assert.equal(changed.sealed.id, first.sealed.id, 'the same record, resealed in place');
      assert.notEqual(changed.sealed.ciphertext, first.sealed.ciphertext);
      assert.deepEqual(await identity(), { ...served, email: 'ada.new@example.org' });
    });
  });

  describe(`[${kind}] syncs written together`, () => {
    const setup = serverWith(kind, (sandbox) => new GatedBank(sandbox), 'batched syncs');

    /** Links `username`'s `index`-th bank account for a customer of its own; the account id and its number. */
    async function linkOne(username: string, index: number, customer: number): Promise<{ id: string; number: string }> {
      const relink = partner(setup.server, setup.key);
      const { session } = await relink.connect.createSession({
        institution: SANDBOX,
        auth_method: 'internet_banking',
        scope: 'financial_data',
        customer: { name: `Batch ${customer}`, email: `batch${customer}@example.com` },
      });
      const login = await relink.connect.login(session.id, { username, password: PASSWORD });
      assert.equal(login.responseCode, 101, JSON.stringify(login));
      const number = login.data.accounts[index]!.accountNumber;
      const done = await relink.connect.commit(session.id, { accountNumber: number });
      assert.equal(done.responseCode, 99, JSON.stringify(done));
      return { id: (await relink.accounts.exchange(done.data.code)).id, number };
    }

    test('one account whose writes fail rolls back only its own; the others are synced; it is retried after 15 minutes', async () => {
      const { server, bank, key } = setup;
      const accounts = [await linkOne('user_multi', 0, 1), await linkOne('user_multi', 1, 2), await linkOne('user_multi', 2, 3)];
      accounts.push({ id: await link(server, key, 'user_good', { customer: { name: 'Batch 4', email: 'batch4@example.com' } }), number: '' });
      await settle(server);
      const broken = accounts[1]!;
      const rows = () =>
        server.services.database.db
          .selectFrom('accounts')
          .selectAll()
          .where(
            'id',
            'in',
            accounts.map((a) => a.id),
          )
          .orderBy('id')
          .execute();
      const transactionIds = (id: string) => server.services.database.db.selectFrom('transactions').select('bank_id').where('account_id', '=', id).execute();
      const before = await rows();
      const updatesBefore = await Promise.all(accounts.map(async (a) => (await eventsOf(server, a.id, 'mono.events.account_updated')).length));
      const brokenTransactions = await transactionIds(broken.id);
      assert.ok(before.every((row) => row.data_status === 'AVAILABLE' && row.sync_claimed_until === null));

      bank.gate = { calls: accounts.length, broken: broken.number, waiting: [] };
      server.clock.advance(24 * 3_600_000);
      await settle(server);
      bank.gate = undefined;

      const afterRows = await rows();
      for (const [i, a] of accounts.entries()) {
        const was = before.find((row) => row.id === a.id)!;
        const now = afterRows.find((row) => row.id === a.id)!;
        const updates = await eventsOf(server, a.id, 'mono.events.account_updated');
        if (a === broken) {
          // As a sync that threw: its writes are gone, only the postponement is left.
          assert.deepEqual({ ...now, sync_due_at: was.sync_due_at }, was, 'nothing of the broken sync was written');
          assert.equal(now.sync_due_at, server.clock.now() + 15 * 60_000);
          assert.equal(updates.length, updatesBefore[i], 'no account_updated for the broken sync');
          assert.equal((await eventsOf(server, a.id, 'mono.events.sync_failed')).length, 0);
          assert.deepEqual(await transactionIds(a.id), brokenTransactions, 'none of its transactions were kept');
          assert.notEqual((await partner(server, key).accounts.get(a.id)).account.name, 'WRITTEN BY THE BROKEN SYNC');
        } else {
          assert.equal(now.last_synced_at, server.clock.now(), `account ${i} was synced`);
          assert.equal(now.sync_claimed_until, null);
          assert.equal(updates.length, updatesBefore[i]! + 1, `account ${i}'s account_updated`);
          assert.equal(updates.at(-1)!.parsed.data.meta.sync_status, 'SUCCESSFUL');
        }
      }
      assert.ok(
        server.logs.some((line) => line.includes('sync failed unexpectedly') && line.includes(broken.id)),
        'the failure is logged with the account',
      );

      server.clock.advance(15 * 60_000);
      await settle(server);
      const retried = (await rows()).find((row) => row.id === broken.id)!;
      assert.equal(retried.last_synced_at, server.clock.now(), 'the postponed sync ran again and succeeded');
      assert.equal((await eventsOf(server, broken.id, 'mono.events.account_updated')).length, updatesBefore[1]! + 1);
    });
  });
}

/** A server whose sandbox bank is wrapped by `wrap`, and a test app's key: set up before the suite's tests, stopped after. */
function serverWith<B extends BankConnector>(kind: DatabaseKind, wrap: (sandbox: BankConnector) => B, appName: string) {
  const setup = {} as { server: TestServer; bank: B; key: string };
  before(async () => {
    setup.server = await startTestServer(kind, {
      connectors: (sandbox) => {
        setup.bank = wrap(sandbox);
        return [setup.bank];
      },
    });
    setup.key = (await setup.server.createApp(appName)).secretKey;
  });
  after(() => setup.server.stop());
  return setup;
}
