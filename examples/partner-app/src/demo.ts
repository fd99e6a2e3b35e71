/**
 * `npm run demo`: Relink and Kudi Lend together on 127.0.0.1, data in ./.demo (SQLite), and
 * one address to open. Relink's test-mode app "Sandbox" is created on the first run exactly
 * as `relink serve` does (its keys kept in .demo/relink/sandbox-app.json, mode 0600); later
 * runs reuse it. Ctrl-C stops both.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, readSandboxSecrets, startServer, writeSandboxSecrets, type RunningServer } from '@relink/server';
import { startPartnerApp } from './app.ts';

const root = new URL('../../../', import.meta.url).pathname;
const dir = resolve(process.env.DEMO_DIR ?? join(root, '.demo'));
const relinkDir = join(dir, 'relink');
mkdirSync(relinkDir, { recursive: true });

const config = loadConfig({
  RELINK_DATA_DIR: relinkDir,
  DATABASE_URL: `sqlite:${join(relinkDir, 'relink.db')}`,
  HOST: '127.0.0.1',
  PORT: process.env.RELINK_PORT ?? '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  ...(process.env.RELINK_MASTER_KEY ? { RELINK_MASTER_KEY: process.env.RELINK_MASTER_KEY } : {}),
});
const relink = await startServer(config);
let partner: Awaited<ReturnType<typeof startPartnerApp>> | undefined;
try {
  const keys = await sandboxKeys(relink);
  partner = await startPartnerApp({
    relinkUrl: relink.url,
    secretKey: keys.secretKey,
    publicKey: keys.publicKey,
    databaseFile: join(dir, 'partner-app.db'),
    port: Number(process.env.PORT ?? 4000),
  });
} catch (error) {
  await relink.close();
  const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  process.stderr.write(
    busy ? `Port ${process.env.PORT ?? 4000} is in use: run PORT=4001 npm run demo\n` : `The demo could not start: ${(error as Error).message}\n`,
  );
  process.exit(1);
}

process.stdout.write(`
Relink and Kudi Lend, a lending app that uses it, are running. Open:

    ${partner.url}

Sign in, link the sandbox bank user user_otp (password pass_good, OTP 12345), then open
"Sandbox controls" to make the bank ask again, and reconnect. Ctrl-C stops both.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await partner?.close().catch(() => {});
      await relink.close().catch(() => {});
      process.exit(0);
    })();
  });
}

/** The Sandbox app's keys: created on the first run (as `relink serve` does), read from the 0600 file later. */
async function sandboxKeys(server: RunningServer): Promise<{ secretKey: string; publicKey: string }> {
  const { apps } = server.services;
  const created = await apps.createOnce('sandbox_app', { name: 'Sandbox' });
  if (created) {
    writeSandboxSecrets(relinkDir, { app_id: created.id, secret_key: created.secretKey, webhook_secret: created.webhookSecret });
    return { secretKey: created.secretKey, publicKey: created.publicKey };
  }
  const saved = readSandboxSecrets(relinkDir);
  const app = saved && (await apps.authenticate(saved.secret_key));
  if (app) return { secretKey: saved.secret_key, publicKey: app.publicKey };
  // The file was deleted (as serve's banner suggests): a new key for the Sandbox app, kept the same way.
  const sandbox = (await apps.list()).find((a) => a.name === 'Sandbox' && a.mode === 'test');
  if (!sandbox) throw new Error(`${dir} holds no test-mode Sandbox app; delete ${dir} to start afresh`);
  const rotated = (await apps.rotateKey(sandbox.id))!;
  writeSandboxSecrets(relinkDir, { app_id: sandbox.id, secret_key: rotated.secretKey });
  return { secretKey: rotated.secretKey, publicKey: sandbox.publicKey };
}
