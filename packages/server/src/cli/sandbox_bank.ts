import { serveConnector, type Faults } from '@relink/connector-kit/protocol';
import { sandboxModule } from '../connectors/sandbox/index.ts';
import type { CliContext } from './context.ts';

const MODES: readonly Faults['mode'][] = ['none', 'down', 'reset', 'slow'];

/**
 * `relink sandbox-bank serve --port P [--host H] [--latency-ms N] [--fault none|down|reset|slow]`:
 * the sandbox bank as a connector service of its own (the connector protocol), so Relink talks
 * to it across a real network hop: `RELINK_CONNECTORS=none RELINK_CONNECTOR_URLS=<its URL>`.
 * Its bank users' state (changed passwords, forced OTPs) lives in this process's memory. With
 * `--fault-control`, a signed `POST /v1/faults` changes the faults while it runs.
 */
export async function sandboxBankCommand(context: CliContext, sub: string | undefined): Promise<number> {
  if (sub !== 'serve') throw new Error(`unknown command "sandbox-bank ${sub ?? ''}": use sandbox-bank serve --port PORT`);
  if (context.values.port === undefined) throw new Error('name the port: relink sandbox-bank serve --port PORT (0 picks a free one)');
  const secret = process.env.RELINK_CONNECTOR_SECRET?.trim();
  if (!secret) throw new Error('RELINK_CONNECTOR_SECRET must be set: Relink and the sandbox bank sign their messages with it (openssl rand -base64 32)');
  const mode = (context.values.fault ?? 'none') as Faults['mode'];
  if (!MODES.includes(mode)) throw new Error(`--fault must be one of ${MODES.join(', ')} (got "${mode}")`);
  const latency = context.values['latency-ms'] ?? '0';
  if (!/^\d{1,6}$/.test(latency)) throw new Error(`--latency-ms must be a whole number of milliseconds (got "${latency}")`);
  const service = await serveConnector(sandboxModule(), {
    secret,
    port: context.config.port,
    host: context.config.host,
    faults: { mode, latencyMs: Number(latency) },
    faultControl: context.values['fault-control'] === true,
  });
  const stopped = new Promise<void>((resolve) => {
    const stop = () => void service.close().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  context.out(`Relink sandbox bank (connector protocol 1) listening on ${service.url}`);
  await stopped;
  return 0;
}
