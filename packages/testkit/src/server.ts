/**
 * A real server on 127.0.0.1 over a real database, in this process. Nothing is mocked; the
 * clock is injected (`ManualClock`), and so may the bank connectors be.
 */
import { after, before } from 'node:test';
import type { DestinationStream } from 'pino';
import { ManualClock, startServer, type RunningServer } from '@relink/server';
import { createTestDatabase, type DatabaseKind, type TestDatabase, testConfig } from './databases.ts';
import { callInProcess } from './http.ts';
import { createLogger, type ServiceOptions } from './internals.ts';

export interface TestServer extends RunningServer {
  clock: ManualClock;
  db: TestDatabase;
  /** Every log line the server wrote, for checks that nothing secret is logged. */
  logs: string[];
  /** Creates an app through the same service the CLI uses. */
  createApp(name?: string, options?: { webhookUrl?: string; live?: boolean }): Promise<{ id: string; secretKey: string; webhookSecret: string }>;
  stop(): Promise<void>;
}

export async function startTestServer(
  kind: DatabaseKind,
  options: { env?: Record<string, string>; db?: TestDatabase; logLevel?: string; connectors?: ServiceOptions['connectors'] } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase(kind));
  if (kind === 'sqlite') await settleOthersOn(db);
  const clock = new ManualClock(Date.now());
  const logs: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void logs.push(line) };
  const config = testConfig(db, { LOG_LEVEL: options.logLevel ?? 'info', ...options.env });
  const server = await startServer(config, {
    clock,
    logger: createLogger(config.logLevel, destination),
    ...(options.connectors ? { connectors: options.connectors } : {}),
  });
  const forget = callInProcess(server.url, server.app as unknown as Parameters<typeof callInProcess>[1]);
  const running: TestServer = {
    ...server,
    clock,
    db,
    logs,
    createApp: (name = 'Test app', appOptions = {}) => server.services.apps.create({ name, ...appOptions }),
    async stop() {
      forget();
      onSameFile.get(db.url)?.delete(running);
      await server.close();
      if (!options.db) await db.drop();
    },
  };
  const sharing = kind === 'sqlite' && (onSameFile.get(db.url)?.size ?? 0) > 0;
  onSameFile.set(db.url, (onSameFile.get(db.url) ?? new Set()).add(running));
  inProcessOf.set(running, forget);
  // Servers sharing one SQLite file in this process also share its one thread, which instances
  // in production never do: a request's open transaction on one and a write on the other wait for
  // each other synchronously (the busy timeout) when calls arrive in the same tick, as in-process
  // calls do. Their calls go over sockets, as between real instances.
  if (sharing) for (const other of onSameFile.get(db.url) ?? []) inProcessOf.get(other)?.();
  // The newcomer's own first passes, started by startServer, would otherwise meet the first
  // test's transaction on the other server: the same 10 s stall (below), the other way round.
  if (sharing) await settle(running);
  return running;
}

/**
 * A test server for the enclosing `describe`: started in a `before` hook, stopped in an `after`
 * hook. The handle is usable from the suite's own hooks and tests on (reading it earlier is an
 * error that says so).
 */
export function useServer(kind: DatabaseKind, options: Parameters<typeof startTestServer>[1] = {}): TestServer {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer(kind, options);
  });
  after(async () => {
    await server?.stop();
  });
  return new Proxy({} as TestServer, {
    get(_target, property) {
      if (!server) throw new Error(`useServer(${kind}): the server starts in the suite's before hook; read server.${String(property)} in a hook or a test`);
      return Reflect.get(server, property);
    },
  });
}

/** How to stop calling each test server in process. */
const inProcessOf = new WeakMap<TestServer, () => void>();

/** The test servers of this process running on each SQLite file. */
const onSameFile = new Map<string, Set<TestServer>>();

/**
 * Two servers in one test process on one SQLite file share one thread, which production's
 * instances (separate processes) never do. better-sqlite3 waits for a lock synchronously
 * (busy_timeout, 10 s), so when the newcomer's migration holds the write lock across an await
 * and the running server's start-up sync or dispatcher pass then writes, that write blocks the
 * very thread the lock holder needs: 10 s of nothing, then SQLITE_BUSY (measured: the second
 * server's start took 11 s, 1 s once the first server's passes had ended). So a server's
 * background passes are let finish before another starts on its file.
 */
async function settleOthersOn(db: TestDatabase) {
  for (const other of onSameFile.get(db.url) ?? []) await settle(other);
}

/** Lets a server's background passes (sync, webhook dispatch) finish. */
async function settle(server: TestServer) {
  await server.services.sync.wake();
  await server.services.webhooks.dispatcher.runDue();
}
