import cluster from 'node:cluster';
import { writeSandboxSecrets } from '../sandbox/secrets.ts';
import { startServer } from '../server.ts';
import type { Services } from '../services.ts';
import type { CliContext } from './context.ts';
import { setupUrl } from './operators.ts';
import { READY, servePrimary } from './workers.ts';

export async function serveCommand(context: CliContext): Promise<number> {
  const { config } = context;
  const worker = cluster.isWorker;
  if (config.masterKey.source === 'file' && !worker) {
    context.err(
      [
        '',
        '!!! WARNING: RELINK_MASTER_KEY is not set.',
        `!!! Using the key generated in ${config.dataDir}/master.key, beside the data it protects.`,
        '!!! Anyone who can read that directory can decrypt stored bank credentials.',
        '!!! Fine for local test mode; set RELINK_MASTER_KEY (openssl rand -base64 32) for anything else.',
        '',
      ].join('\n'),
    );
  }
  if (config.workers > 1 && !worker) {
    return servePrimary(context, { banner: (services, url) => banners(services, url, process.stdout.isTTY === true) });
  }
  const server = await startServer(config);
  // Handlers first: whoever reads the banner may signal at once, and a SIGTERM that arrives
  // before they exist kills the process without a graceful shutdown.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      server.services.logger.info({ signal }, 'shutting down: finishing in-flight requests');
      server.close().then(resolve, (error) => {
        server.services.logger.error({ err: error }, 'error while shutting down');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // A worker of `--workers` tells the primary it listens; the primary prints the banners once.
  if (worker) process.send!({ relink: READY, url: server.url });
  else context.out(await banners(server.services, server.url, process.stdout.isTTY === true));
  await stopped;
  // A worker's channel to the primary would keep it alive after the server has closed.
  if (worker) process.disconnect();
  return 0;
}

/** What a start prints once it listens: the sandbox app's banner, then the first operator's, if any. */
async function banners(services: Services, url: string, interactive: boolean): Promise<string> {
  const operators = await operatorBanner(services, url, interactive);
  return (await sandboxBanner(services, url, interactive)) + (operators ? `\n${operators}` : '');
}

/** The connectors loaded, one line each: where from, the interface version, the banks they serve. */
function bankLines(services: Services): string[] {
  return services.banks.map(
    (bank, i) =>
      `${i === 0 ? '  Connectors:   ' : '                '}${bank.name} (${bank.remote ? 'service' : 'module'} ${bank.source}, interface ${bank.interfaceVersion}): ${bank.institutions.map((b) => b.name).join(', ')}`,
  );
}

/** Apps the banner of a later start lists, at most. */
const BANNER_APPS = 10;

/**
 * On a fresh database, creates the test-mode app "Sandbox" and shows its keys only this once:
 * on a terminal, printed; otherwise written to a 0600 file in the data directory. Later starts name the app and say how to get a new key.
 */
async function sandboxBanner(services: Services, url: string, interactive: boolean): Promise<string> {
  const lines = [
    `Relink is listening on ${url}`,
    `  API docs:     ${url}/docs`,
    `  OpenAPI:      ${url}/openapi.json`,
    `  Connect demo: ${url}/connect/demo`,
    `  Console:      ${url}/dashboard`,
    `  Workers:      ${services.config.workers === 1 ? '1 process' : `${services.config.workers} processes`} (--workers N or RELINK_WORKERS; default one per CPU)`,
    ...bankLines(services),
  ];
  let apps = await services.apps.list();
  const app = apps.length === 0 ? await services.apps.createOnce('sandbox_app', { name: 'Sandbox' }) : undefined;
  // Another server starting on the same database may have just made the Sandbox app.
  if (apps.length === 0 && !app) apps = await services.apps.list();
  if (app && interactive) {
    lines.push(
      '',
      `Created the test-mode app "Sandbox" (${app.id}).`,
      `  public key:     ${app.publicKey}  (the Connect widget's; npx relink apps list shows it again)`,
      'Its secrets are shown only now:',
      `  secret key:     ${app.secretKey}`,
      `  webhook secret: ${app.webhookSecret}`,
      '  (the webhook secret signs deliveries until a URL is set: PUT /v2/webhooks/endpoint issues a new one and returns it)',
      '',
      'Try it:',
      `  curl -s ${url}/v3/institutions -H 'mono-sec-key: ${app.secretKey}'`,
    );
  } else if (app) {
    // stdout is a pipe, where the JSON logs go and a log collector may read: the secrets go
    // to a file only the operator can read, never to a log stream.
    const file = writeSandboxSecrets(services.config.dataDir, {
      app_id: app.id,
      public_key: app.publicKey,
      secret_key: app.secretKey,
      webhook_secret: app.webhookSecret,
    });
    lines.push(
      '',
      `Created the test-mode app "Sandbox" (${app.id}). Its secret key and webhook secret are in ${file}`,
      '  (readable only by this user; not printed, because stdout is not a terminal). Delete the file once you have them.',
      '  The webhook secret signs deliveries until a URL is set: PUT /v2/webhooks/endpoint issues a new one and returns it.',
      // The public key is public (it sits in the partner's web page), so it may go where logs go.
      `  public key:     ${app.publicKey}  (the Connect widget's; npx relink apps list shows it again)`,
    );
  } else if (apps.length === 0) {
    lines.push('', 'There are no apps (the Sandbox app was deleted). Create one: npx relink apps create --name NAME');
  } else {
    const sandbox = apps.find((a) => a.name === 'Sandbox') ?? apps[0]!;
    lines.push('', 'Apps, with their public keys (for the Connect widget):');
    for (const a of apps.slice(0, BANNER_APPS)) lines.push(`  ${a.name} (${a.id}, ${a.mode})  public key: ${a.publicKey}`);
    if (apps.length > BANNER_APPS) lines.push(`  and ${apps.length - BANNER_APPS} more: npx relink apps list`);
    lines.push(`Secret keys are shown only when created. For a new key: npx relink keys rotate --app ${sandbox.id}`);
  }
  return lines.join('\n');
}

/**
 * The console's first operator: on a terminal, a first start with no operator makes one and
 * prints its one-time set-up link, where they choose their email and password. The link is a
 * credential until used, so it is never written where logs go: without a terminal the banner
 * says how to get one instead.
 */
async function operatorBanner(services: Services, url: string, interactive: boolean): Promise<string> {
  if ((await services.operators.count()) > 0) return '';
  const link = interactive ? await services.operators.createFirst() : undefined;
  if (link) {
    return [
      "No console operator yet. Open this one-time link to choose the first operator's email and password",
      '(it works once, for 24 hours; npx relink operators add EMAIL makes more):',
      `  ${setupUrl(services.config, link.token, url)}`,
    ].join('\n');
  }
  if ((await services.operators.count()) > 0) return '';
  return '\nNo console operator yet: at a terminal, npx relink operators add EMAIL prints a one-time set-up link.';
}
