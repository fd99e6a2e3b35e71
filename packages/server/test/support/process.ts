/**
 * The `relink` command as a real child process, the way an operator runs it: one-shot commands
 * (`relink`) and a long-running `relink serve` (`Served`), with nothing Relink reads inherited
 * from the test runner's environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { createTestDatabase, type DatabaseKind, TEST_MASTER_KEY, type TestDatabase } from '@relink/testkit';

/** The repository: the nearest folder above this file that holds the workspace's lock file, wherever the file sits. */
export const ROOT = (function above(dir: string): string {
  if (existsSync(join(dir, 'package-lock.json'))) return dir;
  if (dirname(dir) === dir) throw new Error(`no package-lock.json above ${import.meta.dirname}`);
  return above(dirname(dir));
})(import.meta.dirname);
export const BIN = join(ROOT, 'packages/server/bin/relink.mjs');
export const TIMEOUT_MS = 30_000;

export type How = 'node' | 'npx';

/** An operator's shell: nothing Relink reads is inherited; each test sets what it means. */
export function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(RELINK_|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$|NODE_TEST_CONTEXT$)/.test(name)) env[name] = value;
  }
  // One process unless a test asks for workers (the default is one per CPU): a test that
  // reads a pid, a port or a log means that process.
  return { ...env, RELINK_WORKERS: '1', ...vars };
}

/**
 * What an operator sets for `relink` to find a test database: nothing on SQLite (`--data` names
 * the file, and a master key is generated there), the URL and a master key on PostgreSQL.
 */
export function databaseVars(db: TestDatabase): Record<string, string> {
  return db.url.startsWith('postgres') ? { DATABASE_URL: db.url, RELINK_MASTER_KEY: TEST_MASTER_KEY } : {};
}

export function launch(args: string[], vars: Record<string, string>, how: How): ChildProcess {
  const [command, argv] = how === 'npx' ? ['npx', ['--no', 'relink', ...args]] : [process.execPath, [BIN, ...args]];
  return spawnIn(command, argv, vars);
}

/**
 * `relink ARGS` on a terminal, as a person at a shell runs it: through `script` (util-linux,
 * in every Debian), which gives it a pseudo-terminal and copies what it writes there (stdout
 * and stderr both) to its own stdout; what is written to its stdin is typed at the terminal.
 */
function launchInTerminal(args: string[], vars: Record<string, string>): ChildProcess {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  // `exec`: whatever shell `script` runs the command with (SHELL; dash in CI) is replaced by
  // node, so Ctrl-C reaches node alone and the exit status is node's own.
  const command = ['exec', ...[process.execPath, BIN, ...args].map(quote)].join(' ');
  return spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: envWith(vars), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
}

/** In its own process group, so a stuck npx and the node under it can be killed together. */
function spawnIn(command: string, args: string[], vars: Record<string, string>): ChildProcess {
  return spawn(command, args, { cwd: ROOT, env: envWith(vars), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

export function killGroup(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one command to completion. */
export function relink(args: string[], vars: Record<string, string>, how: How = 'node'): Promise<Finished> {
  return finish(launch(args, vars, how), `relink ${args.join(' ')}`, how === 'npx');
}

/** Runs any other program to completion in the same operator's shell (see `envWith`). */
export function runProgram(command: string, args: string[], vars: Record<string, string>): Promise<Finished> {
  return finish(spawnIn(command, args, vars), `${command} ${args.join(' ')}`, false);
}

function finish(child: ChildProcess, label: string, npx: boolean): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${label} did not finish in ${TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // npm's own warnings (e.g. about npmrc settings) are not Relink's output.
      if (npx) stderr = stderr.replace(/^npm warn .*\n/gm, '');
      resolve({ code, stdout, stderr });
    });
  });
}

/** `relink serve` as a real process over `db` on a free loopback port, with `vars` on top (fault tests). */
export function serveOver(db: TestDatabase, vars: Record<string, string> = {}): Served {
  return new Served(['serve'], {
    DATABASE_URL: db.url,
    PORT: '0',
    HOST: '127.0.0.1',
    RELINK_MASTER_KEY: TEST_MASTER_KEY,
    RELINK_DATA_DIR: db.dataDir,
    LOG_LEVEL: 'warn',
    ...vars,
  });
}

/**
 * For a fault suite: a database of `kind` made before its tests and dropped after them, and
 * `serve()` to start `relink serve` over it with `vars`; every process started is killed after.
 */
export function servedDatabase(kind: DatabaseKind, vars: Record<string, string> = {}) {
  let db: TestDatabase | undefined;
  const running: Served[] = [];
  before(async () => {
    db = await createTestDatabase(kind);
  });
  after(async () => {
    for (const served of running) served.kill();
    await db?.drop();
  });
  return {
    get db(): TestDatabase {
      if (!db) throw new Error('servedDatabase: the suite has not started');
      return db;
    },
    serve(): Served {
      return this.track(serveOver(this.db, vars));
    },
    /** A process started some other way, killed with the rest after the suite. */
    track(served: Served): Served {
      running.push(served);
      return served;
    },
  };
}

/**
 * A long-running `relink serve`; read its output with waitFor, end it with stop (SIGTERM).
 * `terminal`: run on a pseudo-terminal (`launchInTerminal`), where stdout holds what the
 * terminal shows (stderr included, line ends as `\n`) and stop types Ctrl-C.
 */
export class Served {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private done = false;

  constructor(
    args: string[],
    vars: Record<string, string>,
    private readonly terminal = false,
  ) {
    this.child = terminal ? launchInTerminal(args, vars) : launch(args, vars, 'node');
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      if (terminal) this.stdout = this.stdout.replaceAll('\r\n', '\n');
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.closed = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      }),
    );
  }

  waitFor(pattern: RegExp, ms = TIMEOUT_MS): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error, match?: RegExpMatchArray) => {
        clearTimeout(timer);
        this.child.stdout!.off('data', check);
        this.child.off('close', exited);
        if (error) reject(error);
        else resolve(match!);
      };
      const check = () => {
        const match = this.stdout.match(pattern);
        if (match) finish(undefined, match);
      };
      const exited = () => finish(new Error(`relink exited before printing ${pattern}\n${this.stdout}\n${this.stderr}`));
      const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${ms} ms\n${this.stdout}\n${this.stderr}`)), ms);
      this.child.stdout!.on('data', check);
      this.child.on('close', exited);
      check();
      if (this.done) exited();
    });
  }

  /** The base URL the banner announces. */
  async listening(): Promise<string> {
    return (await this.waitFor(/Relink is listening on (http:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
  }

  /** On a first start: the base URL and the Sandbox app the banner announces, with its secret key. */
  async sandbox(): Promise<{ url: string; appId: string; key: string }> {
    const url = await this.listening();
    const [, appId, file] = await this.waitFor(/app "Sandbox" \(([0-9a-f]{24})\)\. Its secret key and webhook secret are in (\S+)\n/);
    return { url, appId: appId!, key: JSON.parse(readFileSync(file!, 'utf8')).secret_key };
  }

  /** SIGTERM (Ctrl-C on a terminal: SIGINT), then the exit status; SIGKILL if it has not exited within `ms`. */
  stop(ms = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.terminal) this.child.stdin!.write('\x03');
    else this.child.kill('SIGTERM');
    return this.exited(ms);
  }

  /** The exit status; fails (and kills the process) if it has not exited within `ms`. */
  async exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`relink did not exit within ${ms} ms\n${this.stdout}\n${this.stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([this.closed, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill() {
    killGroup(this.child);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}
