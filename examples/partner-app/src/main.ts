/**
 * Runs Kudi Lend against a Relink server that is already up:
 *   RELINK_URL=http://127.0.0.1:3000 RELINK_SECRET_KEY=test_sk_… RELINK_PUBLIC_KEY=test_pk_… npm start -w @relink/partner-app
 * (`npm run demo` at the repository root starts both instead.)
 */
import { startPartnerApp } from './app.ts';

const need = (name: string) => {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`partner-app: set ${name} (see examples/partner-app/README.md)\n`);
    process.exit(2);
  }
  return value;
};

const app = await startPartnerApp({
  relinkUrl: process.env.RELINK_URL ?? 'http://127.0.0.1:3000',
  secretKey: need('RELINK_SECRET_KEY'),
  publicKey: need('RELINK_PUBLIC_KEY'),
  databaseFile: process.env.PARTNER_DB ?? 'partner-app.db',
  port: Number(process.env.PORT ?? 4000),
  logger: process.env.LOG_REQUESTS === '1',
});
process.stdout.write(`Kudi Lend is running: open ${app.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
