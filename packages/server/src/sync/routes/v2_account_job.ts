import { getJob } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import type { RealtimeJob } from '../realtime.ts';

const MESSAGES: Record<RealtimeJob['status'], string> = {
  finished: 'Job execution completed',
  processing: 'Job is still processing',
  failed: 'Job execution failed',
};

/** Mono's job poll: a real-time job the `x-job-id` header named. */
export function register(app: HttpApp, { realtime }: Services) {
  app.route({
    ...routeOf(getJob),
    handler: async (request) => {
      const job = await realtime.job(request.partner!.id, request.params.id, request.params.jobId);
      return successV2(MESSAGES[job.status], {
        id: job.id,
        status: job.status,
        name: job.name,
        account: job.accountId,
        app: job.appId,
        has_new_data: job.hasNewData,
        reauth_required: job.reauthRequired,
        error: job.error,
        created_at: new Date(job.startedAt).toISOString(),
        finished_at: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
      });
    },
  });
}
