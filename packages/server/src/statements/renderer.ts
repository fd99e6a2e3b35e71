import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Transaction } from '../accounts/model.ts';
import { BuildStopped, type BuiltPdf, type Checkpoint, type StatementHeading } from './pdf.ts';

/** What the renderer tells its thread. */
export type ToThread = { kind: 'start'; heading: StatementHeading } | { kind: 'rows'; rows: Transaction[] } | { kind: 'end' };
/** What the thread answers. */
export type ToRenderer = { kind: 'page' } | { kind: 'done'; content: Uint8Array; pages: number } | { kind: 'failed'; message: string };

/** The thread's module, beside this one: `.ts` when the sources run (tests, benches), `.js` when the build does. */
const THREAD = new URL(`./pdf_thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * A worker thread does not inherit the hooks that let this process load TypeScript (tsx's
 * `--import`), so when the sources run the thread registers them itself before loading its module.
 */
function spawnThread(): Worker {
  if (!THREAD.pathname.endsWith('.ts')) return new Worker(THREAD);
  const program = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(THREAD.href)}); })`;
  return new Worker(program, { eval: true });
}

/**
 * Builds statements in a worker thread (`pdf_thread.ts`), so neither PDFKit's loading (some 0.3 s
 * of synchronous work on its first use) nor any page of a 10,000-transaction statement holds
 * the server's event loop (docs/benchmarks.md, "Statements"). The thread is started on the first
 * build and kept for the next until it has been idle a minute; it does not keep the process
 * alive. One build at a time.
 * `checkpoint` is asked after each page the thread draws: `false` ends the thread and the build
 * throws `BuildStopped`.
 */
export class PdfRenderer {
  private thread: Worker | undefined;
  private idle: NodeJS.Timeout | undefined;

  /** `idleMs`: a thread that has built nothing for this long is ended, and its memory (PDFKit, the fonts) returned; the next build starts another. */
  constructor(private readonly idleMs = 60_000) {}

  async render(heading: StatementHeading, rows: AsyncIterable<Transaction[]>, checkpoint: Checkpoint): Promise<BuiltPdf> {
    clearTimeout(this.idle);
    const thread = this.start();
    let settle: { resolve: (pdf: BuiltPdf) => void; reject: (error: unknown) => void } | undefined;
    const result = new Promise<BuiltPdf>((resolve, reject) => (settle = { resolve, reject }));
    // Awaited only once every row is sent: a failure meanwhile must not count as unhandled.
    result.catch(() => {});
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      void this.end();
      settle!.reject(new BuildStopped());
    };
    const onMessage = (message: ToRenderer) => {
      if (message.kind === 'page') void checkpoint().then((go) => go || stop(), settle!.reject);
      else if (message.kind === 'done')
        settle!.resolve({ content: Buffer.from(message.content.buffer, message.content.byteOffset, message.content.byteLength), pages: message.pages });
      else settle!.reject(new Error(`the statement's PDF could not be built: ${message.message}`));
    };
    const onExit = (code: number) => settle!.reject(stopped ? new BuildStopped() : new Error(`the PDF thread exited (code ${code}) mid-build`));
    const onError = (error: unknown) => settle!.reject(error);
    thread.on('message', onMessage);
    thread.once('exit', onExit);
    thread.once('error', onError);
    try {
      thread.postMessage({ kind: 'start', heading } satisfies ToThread);
      for await (const batch of rows) {
        if (stopped) break;
        thread.postMessage({ kind: 'rows', rows: batch } satisfies ToThread);
      }
      if (!stopped) thread.postMessage({ kind: 'end' } satisfies ToThread);
      return await result;
    } catch (error) {
      // A build that failed part way (its rows could not be read) leaves the thread mid-document.
      if (!stopped) void this.end();
      throw error;
    } finally {
      thread.off('message', onMessage);
      thread.off('exit', onExit);
      thread.off('error', onError);
      this.idle = setTimeout(() => void this.end(), this.idleMs);
      this.idle.unref();
    }
  }

  /** Ends the thread, if one runs (a build under way fails with `BuildStopped`). */
  close(): Promise<void> {
    clearTimeout(this.idle);
    return this.end();
  }

  private start(): Worker {
    if (!this.thread) {
      const thread = spawnThread();
      thread.unref();
      // Never an unhandled error: a build under way hears of it through its own listeners.
      thread.on('error', () => {});
      thread.once('exit', () => {
        if (this.thread === thread) this.thread = undefined;
      });
      this.thread = thread;
    }
    return this.thread;
  }

  private async end(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }
}
