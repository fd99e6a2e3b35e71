import type { Config } from '../config/config.ts';
import type { Clock } from '../lib/clock.ts';
import type { Vault } from '../vault/vault.ts';
import type { EgressGuard } from './egress.ts';
import { decide } from './schedule.ts';
import { send } from './sender.ts';
import { signatureHeader } from './signing.ts';
import type { Claim, DeliveryStore } from './store.ts';

export const USER_AGENT = 'Relink-Webhooks/0.1';

export interface AttemptDeps {
  config: Config['webhook'];
  clock: Clock;
  vault: Vault;
  guard: EgressGuard;
}

/**
 * One attempt of a claimed delivery: sign the stored body, POST it through the egress guard,
 * record what happened and when to try again. Signed with every secret that currently signs
 * (two during a rotation); `mono-webhook-secret` carries the newest.
 */
export async function attemptDelivery(claim: Claim, store: DeliveryStore, deps: AttemptDeps, shutdown: AbortSignal): Promise<void> {
  const { clock, vault, guard, config } = deps;
  const target = await store.target(claim.id);
  if (!target || target.deleted_at !== null || !target.webhook_url || target.webhook_disabled_at !== null) {
    const reason = !target || target.deleted_at !== null ? 'the app was deleted' : !target.webhook_url ? 'the app has no webhook URL' : 'the app’s webhook is disabled';
    return store.abandon(claim, `not attempted: ${reason}`, clock.now());
  }
  const at = clock.now();
  const secrets = [await vault.open(target.webhook_secret_id!)];
  if (target.previous_webhook_secret_id && (target.previous_webhook_secret_expires_at ?? 0) > at) {
    secrets.push(await vault.open(target.previous_webhook_secret_id));
  }
  const timestamp = Math.floor(at / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'mono-webhook-secret': secrets[0]!,
    'webhook-id': claim.event_id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, claim.event_id, timestamp, target.body),
  };
  const url = target.webhook_url;
  const result = await send(guard.agent(target.mode), { url, headers, body: target.body, timeoutMs: config.timeoutMs }, shutdown);
  if (result.interrupted) return store.release(claim);
  const decision = decide(result, claim.attempt_count + 1, config.retryScheduleSeconds, clock.now());
  const error = result.error ?? (decision.status === 'succeeded' ? null : `receiver answered ${result.statusCode}`);
  await store.finish(
    claim,
    { url, at, statusCode: result.statusCode, durationMs: result.durationMs, error, bodyExcerpt: result.bodyExcerpt },
    {
      status: decision.status,
      nextAttemptAt: decision.status === 'pending' ? decision.nextAttemptAt : null,
      ...(decision.status === 'failed' && decision.gone ? { disableReason: `${url} answered 410 Gone` } : {}),
    },
  );
}
