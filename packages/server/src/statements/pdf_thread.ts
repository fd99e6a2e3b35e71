/**
 * The PDF builder's thread (`PdfRenderer`): PDFKit's loading, the fonts' parsing and subsetting
 * and the drawing of every page happen here, off the server's event loop. One build at a time:
 * `start` with the heading, `rows` batches oldest first, `end`; it answers `page` after each
 * page and `done` with the file, or `failed`.
 */
import { parentPort } from 'node:worker_threads';
import type { Transaction } from '../accounts/model.ts';
import { buildStatementPdf, type StatementHeading } from './pdf.ts';
import type { ToRenderer, ToThread } from './renderer.ts';

const port = parentPort!;
let queue: { batches: Transaction[][]; ended: boolean; wake: (() => void) | undefined } | undefined;

async function* batches(q: NonNullable<typeof queue>): AsyncGenerator<Transaction[]> {
  for (;;) {
    const next = q.batches.shift();
    if (next) yield next;
    else if (q.ended) return;
    else await new Promise<void>((resolve) => (q.wake = resolve));
  }
}

async function build(heading: StatementHeading, q: NonNullable<typeof queue>) {
  const post = (message: ToRenderer, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    const pdf = await buildStatementPdf(heading, batches(q), async () => {
      post({ kind: 'page' });
      return true;
    });
    const content = new Uint8Array(pdf.content.buffer, pdf.content.byteOffset, pdf.content.byteLength).slice();
    post({ kind: 'done', content, pages: pdf.pages }, [content.buffer]);
  } catch (error) {
    post({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

port.on('message', (message: ToThread) => {
  if (message.kind === 'start') {
    queue = { batches: [], ended: false, wake: undefined };
    void build(message.heading, queue);
    return;
  }
  if (!queue) return;
  if (message.kind === 'rows') queue.batches.push(message.rows);
  else queue.ended = true;
  queue.wake?.();
  queue.wake = undefined;
});
