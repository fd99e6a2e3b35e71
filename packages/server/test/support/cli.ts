/**
 * The `relink` command in process: `main(argv, io, env)` with the same operator's environment
 * that `process.ts` gives a child process (see `envWith`), its output captured line by line.
 * What only a real process can show (npx, signals, kill -9, processes racing) stays in process.ts.
 */
import { main } from '../../src/cli/main.ts';
import { type Finished, envWith } from './process.ts';

/** Runs one command to completion, in this process. */
export async function relinkInProcess(args: string[], vars: Record<string, string>): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (text) => void (stdout += `${text}\n`), err: (text) => void (stderr += `${text}\n`) }, envWith(vars));
  return { code, stdout, stderr };
}
