import { getStatementJob, getStatementJobV1 } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { jobView } from './views.ts';

/** A PDF statement's job, polled until `BUILT` (with `path`) or `FAILED`: v1 bare, v2 in the envelope. */
export function register(app: HttpApp, services: Services) {
  const { statements } = services;
  app.route({
    ...routeOf(getStatementJobV1),
    handler: async (request) => jobView(await statements.job(request.partner!.id, request.params.id, request.params.jobId), services.publicUrl),
  });

  app.route({
    ...routeOf(getStatementJob),
    handler: async (request) => {
      const view = await statements.job(request.partner!.id, request.params.id, request.params.jobId);
      const message = { BUILDING: 'The statement is being built', BUILT: 'The statement is ready at path', FAILED: 'The statement could not be built' }[
        view.job.status
      ];
      return successV2(message, jobView(view, services.publicUrl));
    },
  });
}
