import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 1_000;

/**
 * The worker's whole program, run as CommonJS: its own connection to the file, a PASSIVE
 * checkpoint (never waits for readers or writers) every second or when asked, each reported
 * back (frames in the WAL, frames copied), and a TRUNCATE one when told to stop so a cleanly
 * stopped server leaves no WAL behind.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const checkpoint = (mode) => { try { return db.pragma('wal_checkpoint(' + mode + ')')[0]; } catch { return undefined; } };
const passive = () => {
  const result = checkpoint('PASSIVE');
  if (result) parentPort.postMessage({ log: result.log, checkpointed: result.checkpointed });
};
const timer = setInterval(passive, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'now') return passive();
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.close();
});
`;

/** Frames (pages) the WAL may hold before background writers wait for a checkpoint: 256 MiB of 4 KiB pages. */
export const WAL_LIMIT_FRAMES = 65_536;
/** The longest a background writer waits for a checkpoint to catch up. */
const WAIT_MS = 2_000;

export interface Checkpointer {
  /**
   * Undefined while the WAL is within its limit; otherwise a promise that resolves once a
   * checkpoint has copied the whole WAL back (the next write transaction then starts the WAL
   * over from its beginning) or the WAL is back within the limit, or after 2 s. Background
   * writers (the sync sweep) await it before each batch, so a long run of writes cannot grow
   * the WAL without bound while the checkpoints, which never block a writer, fall behind.
   */
  caughtUp(): Promise<void> | undefined;
  stop(): Promise<void>;
}

/** Checkpoints `file` from a worker thread until `stop()`. */
export function startCheckpointer(file: string, everyMs = CHECKPOINT_EVERY_MS, limitFrames = WAL_LIMIT_FRAMES): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(PROGRAM, { eval: true, workerData: { driver, file, everyMs } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => {});
  let wal = { log: 0, checkpointed: 0 };
  let waiters: (() => void)[] = [];
  const release = () => {
    const released = waiters;
    waiters = [];
    for (const resolve of released) resolve();
  };
  worker.on('message', (report: { log: number; checkpointed: number }) => {
    wal = report;
    if (waiters.length === 0) return;
    // Caught up (everything in the WAL is in the database file), or the WAL started over.
    if (report.checkpointed >= report.log || report.log <= limitFrames) release();
    else worker.postMessage('now');
  });
  let stopped = false;
  return {
    caughtUp() {
      if (stopped || wal.log <= limitFrames) return undefined;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WAIT_MS);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        if (waiters.length === 1) worker.postMessage('now');
      });
    },
    async stop() {
      stopped = true;
      release();
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
