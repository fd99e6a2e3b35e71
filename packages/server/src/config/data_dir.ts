import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { privateDirectory, privateFile } from '../lib/files.ts';
import type { Config } from './config.ts';

/** What Relink keeps in its data directory besides the database: the generated master key and the first start's Sandbox secrets. */
const KEPT = ['master.key', 'sandbox-app.json'];
/** Beside a SQLite database: its WAL, its shared memory, and what `relink restore` replaced. */
const BESIDE_DATABASE = ['-wal', '-shm', '.before-restore'];

/**
 * Sets the data directory to 0700 and the files Relink keeps there to 0600, for a directory an
 * older version made with the umask's modes (new ones are made private). Only the files Relink
 * names: the directory may be an operator's own, holding other things. Returns the paths that
 * belong to another user, whose modes this process may not change.
 */
export function tightenDataDir(config: Config): string[] {
  const { database } = config;
  const paths = KEPT.map((name) => join(config.dataDir, name));
  if (database.kind === 'sqlite') paths.push(database.file, ...BESIDE_DATABASE.map((suffix) => database.file + suffix));
  const refused = existsSync(config.dataDir) && !privateDirectory(config.dataDir) ? [config.dataDir] : [];
  return [...refused, ...paths.filter((path) => !privateFile(path))];
}
