import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFile, privateDirectory } from '../lib/files.ts';

/** Where `relink serve` keeps the Sandbox app's secrets when stdout is not a terminal. */
export const SECRETS_FILE = 'sandbox-app.json';

export interface SandboxSecrets {
  app_id: string;
  /** Not a secret: kept here so the file holds every key the Sandbox app was made with. */
  public_key?: string;
  secret_key: string;
  webhook_secret?: string;
}

/** Writes the Sandbox app's secrets to a new file in `dataDir` readable only by this user (0600); returns its path. */
export function writeSandboxSecrets(dataDir: string, secrets: SandboxSecrets): string {
  const file = join(dataDir, SECRETS_FILE);
  privateDirectory(dataDir);
  rmSync(file, { force: true });
  createPrivateFile(file, true);
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`);
  return file;
}

/** The secrets `writeSandboxSecrets` kept in `dataDir`, if the file is still there. */
export function readSandboxSecrets(dataDir: string): SandboxSecrets | undefined {
  const file = join(dataDir, SECRETS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SandboxSecrets) : undefined;
}
