/**
 * What every bench needs: a real server on a temporary SQLite data directory (or on the
 * PostgreSQL server DATABASE_URL names), one test app, and a POST that fails loudly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { startServer } from '../packages/server/src/server.ts';

export const SANDBOX_BANK = { institution: '5f2d08be60b92e2888287000', auth_method: 'internet_banking' };

export async function startBench() {
  const dataDir = mkdtempSync(join(tmpdir(), 'relink-bench-'));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    RELINK_DATA_DIR: dataDir,
    RELINK_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'warn',
    // Throughput is the point here: the per-app request rates (docs/security.md) are off.
    RELINK_SESSIONS_PER_MINUTE: '0',
    RELINK_STEPS_PER_MINUTE: '0',
  });
  const server = await startServer(config);
  const app = await server.services.apps.create({ name: 'Bench' });
  const headers = { 'mono-sec-key': app.secretKey, 'content-type': 'application/json' };

  async function post(path: string, body: unknown, extra: Record<string, string> = {}) {
    const res = await fetch(server.url + path, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (res.status !== 200) throw new Error(`${path} ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async function close() {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { server, services: server.services, app, headers, post, close };
}
