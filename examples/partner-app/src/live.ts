import type { ServerResponse } from 'node:http';

/**
 * Server-Sent Events to each signed-in user's open pages: when a webhook changes what their
 * dashboard shows, the page hears `change` and fetches its panel again. No reload, no polling.
 */
export class LiveUpdates {
  readonly #streams = new Map<string, Set<ServerResponse>>();
  /** Per user, how many changes were pushed: a page rendered at an older version missed one. */
  readonly #versions = new Map<string, number>();
  readonly #heartbeat = setInterval(() => this.#each((stream) => stream.write(': keep-alive\n\n')), 25_000);

  constructor() {
    this.#heartbeat.unref();
  }

  open(userId: string, stream: ServerResponse) {
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    stream.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ version: this.version(userId) })}\n\n`);
    const set = this.#streams.get(userId) ?? new Set();
    set.add(stream);
    this.#streams.set(userId, set);
    stream.on('close', () => {
      set.delete(stream);
      if (set.size === 0) this.#streams.delete(userId);
    });
  }

  /** Tells every open page of this user what happened (the event name, never its data). */
  notify(userId: string, what: string) {
    const version = this.version(userId) + 1;
    this.#versions.set(userId, version);
    for (const stream of this.#streams.get(userId) ?? []) stream.write(`event: change\ndata: ${JSON.stringify({ what, version })}\n\n`);
  }

  version(userId: string): number {
    return this.#versions.get(userId) ?? 0;
  }

  close() {
    clearInterval(this.#heartbeat);
    this.#each((stream) => stream.end());
    this.#streams.clear();
  }

  #each(fn: (stream: ServerResponse) => void) {
    for (const set of this.#streams.values()) for (const stream of set) fn(stream);
  }
}
