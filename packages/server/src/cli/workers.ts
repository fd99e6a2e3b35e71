import cluster, { type Worker } from 'node:cluster';
import { migrate } from '../db/database.ts';
import { shareLimitsAcrossWorkers } from '../limits/requests.ts';
import { countForWorkers } from '../limits/widget.ts';
import { answerWorkers } from '../lib/workers.ts';
import { aggregateWorkers } from '../metrics/metrics.ts';
import { createServices, type Services } from '../services.ts';
import type { CliContext } from './context.ts';

/** A worker that dies is replaced, unless this many died within `CRASH_WINDOW_MS`: then the server stops (exit 1). */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;
/** How long a stop waits for the workers' graceful shutdowns before it kills what is left. */
const STOP_MS = 30_000;

/** What a worker tells the primary once it listens. */
export const READY = 'ready';

export interface PrimaryDeps {
  /** The start banner, printed once every worker listens. */
  banner(services: Services, url: string): Promise<string>;
}

/**
 * `relink serve --workers N` (N > 1): this process is the primary. It brings the schema up to
 * date once, starts N workers (node:cluster; they share the port, and each serves the API and
 * runs the background work, which claims its rows in the database as separate instances do),
 * keeps the counts every worker shares (request limits, the widget's limits, metrics), prints
 * the banner, replaces a worker that dies, and on SIGTERM or SIGINT stops every worker
 * gracefully before it exits.
 */
export async function servePrimary(context: CliContext, deps: PrimaryDeps): Promise<number> {
  const { config } = context;
  const services = await createServices(config);
  const log = services.logger;
  try {
    await migrate(services.database);
    if (config.masterKey.source !== 'env' && (await services.apps.hasLiveApps())) {
      throw new Error('live apps exist: set RELINK_MASTER_KEY in the environment before serving them');
    }
  } catch (error) {
    await services.close();
    throw error;
  }
  // Counted here, for all workers: a limit of N a minute is N for the server, not per worker.
  shareLimitsAcrossWorkers();
  countForWorkers(services.widgetLimits, answerWorkers);
  aggregateWorkers(answerWorkers);

  let stopping = false;
  const crashes: number[] = [];
  const fork = () => cluster.fork({ RELINK_WORKER_OF: String(process.pid) });

  // Every worker listening (its `ready` message carries the URL), or the first to exit before it does.
  const urls: string[] = [];
  const started = new Promise<string>((resolve, reject) => {
    const onMessage = (_worker: Worker, message: { relink?: string; url?: string }) => {
      if (message?.relink !== READY || !message.url) return;
      urls.push(message.url);
      if (urls.length === config.workers) {
        cluster.off('message', onMessage);
        cluster.off('exit', onEarlyExit);
        resolve(message.url);
      }
    };
    const onEarlyExit = (worker: Worker, code: number | null, signal: string | null) =>
      reject(new Error(`worker ${worker.id} exited before it listened (${signal ?? `exit code ${code}`}); its log says why`));
    cluster.on('message', onMessage);
    cluster.on('exit', onEarlyExit);
  });
  for (let i = 0; i < config.workers; i++) fork();

  const stopAll = async () => {
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    const exited = alive.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
    for (const w of alive) w.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
    }, STOP_MS);
    await Promise.all(exited);
    clearTimeout(timer);
  };

  let url: string;
  try {
    url = await started;
  } catch (error) {
    await stopAll();
    await services.close();
    throw error;
  }

  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal, workers: config.workers }, 'shutting down: each worker finishes its in-flight requests');
      void stopAll().then(() => resolve(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length >= MAX_CRASHES) {
        log.error({ worker: worker.id, code, signal, crashes: crashes.length }, `${crashes.length} workers exited within a minute: stopping the server`);
        void stopAll().then(() => resolve(1));
        return;
      }
      log.error({ worker: worker.id, code, signal }, 'a worker exited; starting another');
      fork();
    });
  });

  context.out(await deps.banner(services, url));
  // The primary serves nothing itself: its own connection is not needed after the banner.
  await services.close();
  return stopped;
}
