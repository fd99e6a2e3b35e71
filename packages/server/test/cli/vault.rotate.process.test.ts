import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createTestDatabase, databases, startTestServer, TEST_MASTER_KEY, type TestDatabase } from '@relink/testkit';
import { masterKeyId } from '../../src/config/config.ts';

const run = promisify(execFile);
const CLI = new URL('../../bin/relink.mjs', import.meta.url).pathname;

for (const kind of databases()) {
  describe(`[${kind}] relink vault rotate`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(kind);
    });
    after(() => db.drop());

    test('rewraps every data key with the new master key without touching ciphertext', async () => {
      const first = await startTestServer(kind, { db });
      const app = await first.createApp('Rotated');
      const beforeRows = await first.services.database.db.selectFrom('vault_secrets').selectAll().orderBy('id').execute();
      await first.stop();
      assert.ok(beforeRows.length > 0);

      const newKey = randomBytes(32).toString('base64');
      const env = { ...process.env, DATABASE_URL: db.url, RELINK_DATA_DIR: db.dataDir, RELINK_MASTER_KEY: newKey };

      const missingOld = await run(process.execPath, [CLI, 'vault', 'rotate'], { env }).catch((e) => e);
      assert.equal(missingOld.code, 1, 'without the old key the run fails');
      assert.match(missingOld.stderr, /RELINK_PREVIOUS_MASTER_KEYS/);

      const { stdout } = await run(process.execPath, [CLI, 'vault', 'rotate', '--json'], { env: { ...env, RELINK_PREVIOUS_MASTER_KEYS: TEST_MASTER_KEY } });
      const report = JSON.parse(stdout);
      assert.equal(report.rewrapped, beforeRows.length);
      assert.equal(report.masterKeyId, masterKeyId(Buffer.from(newKey, 'base64')));

      const second = await startTestServer(kind, { db, env: { RELINK_MASTER_KEY: newKey } });
      try {
        const afterRows = await second.services.database.db.selectFrom('vault_secrets').selectAll().orderBy('id').execute();
        assert.deepEqual(
          afterRows.map((r) => r.ciphertext),
          beforeRows.map((r) => r.ciphertext),
          'ciphertext unchanged',
        );
        assert.ok(afterRows.every((r) => r.kek_id === report.masterKeyId));
        assert.ok(afterRows.every((r, i) => r.wrapped_key !== beforeRows[i]!.wrapped_key));
        assert.equal(await second.services.apps.webhookSecret(app.id), app.webhookSecret, 'readable with only the new key');
      } finally {
        await second.stop();
      }
    });
  });
}
