import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/**
 * Relink's files are its owner's alone: directories 0700, files 0600. A mode given to mkdir or
 * open is cut by the process's umask (and SQLite creates files 0644 whatever it is told), so
 * each path is set with chmod afterwards, which the umask does not touch.
 */
const PRIVATE_DIRECTORY = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Makes `dir` (with any missing parents) and sets it to 0700. False when it exists but belongs
 * to another user, whose mode this process may not change.
 */
export function privateDirectory(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIRECTORY });
  return restrict(dir, PRIVATE_DIRECTORY);
}

/** Sets `file` to 0600 if it exists. False when it belongs to another user. */
export function privateFile(file: string): boolean {
  return restrict(file, PRIVATE_FILE);
}

/** Creates `file` empty and 0600 if it is not there, so whatever writes it next finds it private. */
export function createPrivateFile(file: string, exclusive = false): void {
  closeSync(openSync(file, exclusive ? 'wx' : 'a', PRIVATE_FILE));
  privateFile(file);
}

function restrict(path: string, mode: number): boolean {
  try {
    chmodSync(path, mode);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EPERM' || code === 'EROFS') return false;
    throw error;
  }
}
