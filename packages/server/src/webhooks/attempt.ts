import type { Config } from '../config/config.ts';
import type { Clock } from '../lib/clock.ts';
import type { Vault } from '../vault/vault.ts';
import type { EgressGuard } from './egress.ts';
import { decide } from './schedule.ts';
import { send } from './sender.ts';
import { signatureHeader } from '@relink/contract/signing';
import type { Claim, Outcome, Target } from './store.ts';

export const USER_AGENT = 'Relink-Webhooks/0.1';

export interface AttemptDeps {
  config: Config['webhook'];
  clock: Clock;
  guard: EgressGuard;
}

/**
 * One attempt of a claimed delivery: sign the stored body, POST it through the egress guard,
 * and say what happened and when to try again (the dispatcher records it). Signed with every
 * secret that currently signs (two during a rotation); `mono-webhook-secret` carries the newest.
 */
export async function attemptDelivery(
  claim: Claim,
  target: Target | undefined,
  secrets: SigningSecrets,
  deps: AttemptDeps,
  shutdown: AbortSignal,
): Promise<Outcome> {
  const { clock, guard, config } = deps;
  if (!target || target.deleted_at !== null || !target.webhook_url || target.webhook_disabled_at !== null) {
    const reason =
      !target || target.deleted_at !== null ? 'the app was deleted' : !target.webhook_url ? 'the app has no webhook URL' : 'the app’s webhook is disabled';
    return { kind: 'abandoned', claim, reason: `not attempted: ${reason}`, at: clock.now() };
  }
  const at = clock.now();
  const signing = [await secrets.open(target.webhook_secret_id!)];
  if (target.previous_webhook_secret_id && (target.previous_webhook_secret_expires_at ?? 0) > at) {
    signing.push(await secrets.open(target.previous_webhook_secret_id));
  }
  const timestamp = Math.floor(at / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'mono-webhook-secret': signing[0]!,
    'webhook-id': claim.event_id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(signing, claim.event_id, timestamp, target.body),
  };
  const url = target.webhook_url;
  const result = await send(guard.agent(target.mode), { url, headers, body: target.body, timeoutMs: config.timeoutMs }, shutdown);
  if (result.interrupted) return { kind: 'released', claim };
  const decision = decide(result, claim.attempt_count + 1, config.retryScheduleSeconds, clock.now());
  const error = result.error ?? (decision.status === 'succeeded' ? null : `receiver answered ${result.statusCode}`);
  return {
    kind: 'attempted',
    claim,
    attempt: { url, at, statusCode: result.statusCode, durationMs: result.durationMs, error, bodyExcerpt: result.bodyExcerpt },
    next: {
      status: decision.status,
      nextAttemptAt: decision.status === 'pending' ? decision.nextAttemptAt : null,
      ...(decision.status === 'failed' && decision.gone ? { disableReason: `${url} answered 410 Gone` } : {}),
    },
  };
}

/**
 * Webhook signing secrets, opened from the vault once and then kept in memory by vault record
 * id. A signing secret's record is never resealed (a rotation writes a new record and points
 * the app at it), so an id always opens to the same secret and an entry cannot go stale; the
 * app row read for each attempt says which ids sign now. Bounded: the oldest entry goes first.
 */
export class SigningSecrets {
  private readonly opened = new Map<string, string>();

  constructor(
    private readonly vault: Vault,
    private readonly capacity = 1_000,
  ) {}

  async open(id: string): Promise<string> {
    const known = this.opened.get(id);
    if (known !== undefined) return known;
    const secret = await this.vault.open(id);
    if (this.opened.size >= this.capacity) this.opened.delete(this.opened.keys().next().value!);
    this.opened.set(id, secret);
    return secret;
  }
}
