import type { RealtimeHeaders } from '@relink/contract';
import type { FastifyReply } from 'fastify';
import { AppError } from '../../http/errors.ts';
import type { Services } from '../../http/types.ts';
import type { JobName, RealtimeAnswer } from '../../sync/realtime.ts';
import type { Account } from '../model.ts';

/**
 * The account a data route answers from. With Mono's `x-realtime: true` (or `x-real-time`), the
 * bank is asked first (`RealtimeService.refresh`) and the reply carries the job's headers, as
 * Mono's do: `x-job-id`, `x-job-status` (`finished`, `processing`, `failed`), `x-has-new-data:
 * true` only when the bank had something new, and `x-reauth-required` (Mono's earlier header).
 * A job that could not get fresh data answers its failure with the same headers; without the
 * header, the stored data as the last sync left it.
 */
export async function accountFor(
  { accounts, realtime }: Services,
  appId: string,
  id: string,
  headers: RealtimeHeaders,
  reply: FastifyReply,
  name: JobName,
): Promise<Account> {
  if (!wantsRealtime(headers)) return accounts.get(appId, id);
  const answer = await realtime.refresh(appId, id, name);
  const sent = jobHeaders(answer);
  if (answer.failure) {
    const failure = AppError.from(answer.failure);
    throw new AppError(failure.code, failure.message, failure.extra, { ...failure.headers, ...sent });
  }
  reply.headers(sent);
  return answer.account;
}

function wantsRealtime(headers: RealtimeHeaders): boolean {
  return headers['x-realtime']?.toLowerCase() === 'true' || headers['x-real-time']?.toLowerCase() === 'true';
}

function jobHeaders({ job, failure }: RealtimeAnswer): Record<string, string> {
  const reauth = failure?.code === 'REAUTHORISATION_REQUIRED';
  const headers: Record<string, string> = { 'x-reauth-required': String(reauth) };
  if (job) headers['x-job-id'] = job.id;
  if (job || failure) headers['x-job-status'] = failure ? 'failed' : job!.status;
  if (job?.hasNewData) headers['x-has-new-data'] = 'true';
  return headers;
}
