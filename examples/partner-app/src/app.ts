import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ReauthTracker } from '@relink/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { openDatabase, type PartnerDb } from './db.ts';
import { LiveUpdates } from './live.ts';
import { UsersReauthStore } from './reauth_store.ts';
import { Relink } from './relink.ts';
import type { SandboxLogin } from './views/reconnect.ts';
import { registerWithRelink } from './relink_setup.ts';
import { registerAuth } from './routes/auth.ts';
import { registerDashboard } from './routes/dashboard.ts';
import { registerReconnect } from './routes/reconnect.ts';
import { registerSandbox } from './routes/sandbox.ts';
import { registerWebhook, WEBHOOK_PATH } from './routes/webhook.ts';

export interface PartnerAppOptions {
  /** Relink's base URL, e.g. http://127.0.0.1:3000: the API and, for the browser, connect.js. */
  relinkUrl: string;
  secretKey: string;
  publicKey: string;
  /** The app's SQLite file. */
  databaseFile: string;
  /** Where the app listens; loopback by default (port 0: any free port). */
  host?: string;
  port?: number;
  logger?: boolean;
}

export interface RunningPartnerApp {
  url: string;
  app: FastifyInstance;
  db: PartnerDb;
  close(): Promise<void>;
}

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url));

/** Builds the app, listens, and registers its webhook URL and origin with Relink. */
export async function startPartnerApp(options: PartnerAppOptions): Promise<RunningPartnerApp> {
  const db = openDatabase(options.databaseFile);
  const relink = new Relink({ secretKey: options.secretKey, baseUrl: options.relinkUrl });
  const tracker = new ReauthTracker({ store: new UsersReauthStore(db), client: relink });
  const live = new LiveUpdates();
  let webhookSecret: string | undefined;

  const app = Fastify({ logger: options.logger ?? false });
  // HTML forms post url-encoded fields; that is all this parser needs to handle.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.addHook('onSend', async (_request, reply) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header(
        'content-security-policy',
        `default-src 'self'; script-src 'self' ${options.relinkUrl}; frame-src ${options.relinkUrl}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      );
    }
  });
  app.addHook('preClose', async () => live.close());
  const deps = {
    db,
    relink,
    tracker,
    live,
    publicKey: options.publicKey,
    relinkUrl: options.relinkUrl.replace(/\/+$/, ''),
    testMode: options.secretKey.startsWith('test_'),
    sandboxNotes: new Map<string, SandboxLogin>(),
  };
  const js = asset('app.js');
  const css = asset('app.css');
  app.get('/app.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(js));
  app.get('/app.css', (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
  registerAuth(app, db);
  registerDashboard(app, deps);
  registerReconnect(app, deps);
  registerSandbox(app, deps);
  registerWebhook(app, { db, tracker, live, secret: () => webhookSecret });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const { address, port } = app.server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  try {
    ({ webhookSecret } = await registerWithRelink(relink, { webhookUrl: url + WEBHOOK_PATH, origin: url }));
  } catch (error) {
    await app.close();
    db.close();
    throw error;
  }
  return {
    url,
    app,
    db,
    async close() {
      await app.close();
      db.close();
    },
  };
}
