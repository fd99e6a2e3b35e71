import cluster from 'node:cluster';

/**
 * `relink serve --workers N` runs N processes under one primary (node:cluster): each worker
 * serves the API and runs the background work, as separate instances would. What must be
 * counted once for the whole server (rate limits, metrics) is asked of the primary over the
 * cluster's IPC channel with these two helpers: a worker asks, the primary answers.
 */
export const isWorker = (): boolean => cluster.isWorker;

interface Question {
  relink: string;
  id: number;
  body: unknown;
}
interface Answer {
  relink: string;
  id: number;
  value?: unknown;
  error?: string;
}

let nextId = 0;
const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
let listening = false;

/** From a worker: `kind`'s answer from the primary, or an error after `timeoutMs`. */
export function askPrimary<T>(kind: string, body: unknown, timeoutMs = 2_000): Promise<T> {
  if (!listening) {
    listening = true;
    process.on('message', (message: Answer) => {
      if (typeof message?.relink !== 'string' || !message.relink.startsWith('answer:')) return;
      const pending = waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error !== undefined) pending.reject(new Error(message.error));
      else pending.resolve(message.value);
    });
  }
  return new Promise<T>((resolve, reject) => {
    const id = ++nextId;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the primary process did not answer "${kind}" within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
    process.send!({ relink: kind, id, body } satisfies Question);
  });
}

/** In the primary: answers every worker's `kind` questions with `answer`. */
export function answerWorkers(kind: string, answer: (body: unknown) => unknown): void {
  cluster.on('message', (worker, message: Question) => {
    if (message?.relink !== kind) return;
    void Promise.resolve()
      .then(() => answer(message.body))
      .then(
        (value) => ({ relink: `answer:${kind}`, id: message.id, value }),
        (error: unknown) => ({ relink: `answer:${kind}`, id: message.id, error: String((error as Error)?.message ?? error) }),
      )
      .then((reply: Answer) => {
        if (worker.isConnected()) worker.send(reply);
      });
  });
}
