import type { Config } from './config/config.ts';
import { tightenDataDir } from './config/data_dir.ts';
import { migrate } from './db/database.ts';
import { buildHttpApp } from './http/app.ts';
import { handlersSettled } from './http/edge.ts';
import type { HttpApp } from './http/types.ts';
import { createServices, type ServiceOptions, type Services } from './services.ts';

export interface RunningServer {
  url: string;
  app: HttpApp;
  services: Services;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

const SWEEP_MS = 60_000;
/** How long a shutdown waits for handlers whose clients have gone (a reset waits up to 15 s for a sync). */
const SETTLE_MS = 20_000;

/** Opens the database, brings the schema up to date, and listens. */
export async function startServer(config: Config, options: ServiceOptions = {}): Promise<RunningServer> {
  const services = await createServices(config, options);
  for (const path of tightenDataDir(config))
    services.logger.warn({ path }, 'another user owns this path, so it could not be made private (0700 directory, 0600 file)');
  try {
    await migrate(services.database);
    if (config.masterKey.source !== 'env' && (await services.apps.hasLiveApps())) {
      throw new Error('live apps exist: set RELINK_MASTER_KEY in the environment before serving them');
    }
    services.database.setup.startBackgroundWork?.();
    const app = await buildHttpApp(services);
    const address = await app.listen({ port: config.port, host: config.host });
    const url = config.publicUrl ?? address.replace('[::1]', 'localhost');
    services.publicUrl = url;
    if (!config.publicUrl && !isLoopbackHost(config.host)) {
      services.logger.warn(
        { url },
        'RELINK_PUBLIC_URL is not set: hosted links and paging links name this address, which other machines may not reach; set RELINK_PUBLIC_URL to the address partners and their users use',
      );
    }
    services.metrics.start();
    services.sync.start();
    services.statements.worker.start();
    await services.webhooks.dispatcher.start();
    // Abandoned sessions must not keep a user's bank password: their vault records go once they
    // expire; statement files (bank data) go once their lifetime is over.
    const sweeper = setInterval(() => {
      services.sessions.sweep().catch((error: unknown) => services.logger.error({ err: error }, 'session sweep failed'));
      services.statements.sweep().catch((error: unknown) => services.logger.error({ err: error }, 'statement sweep failed'));
    }, SWEEP_MS);
    sweeper.unref();
    let closing: Promise<void> | undefined;
    return {
      url,
      app,
      services,
      close() {
        closing ??= (async () => {
          clearInterval(sweeper);
          await services.webhooks.dispatcher.stop();
          await app.close();
          // A handler whose client went away is not waited for by close(); its work still needs the database.
          await handlersSettled(app, SETTLE_MS);
          await services.sync.stop();
          await services.statements.worker.stop();
          await services.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
