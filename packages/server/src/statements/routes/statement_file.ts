import { downloadStatement } from '@relink/contract/operations';
import { authenticateOptionalSecret } from '../../http/auth.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

/**
 * A built statement's PDF, at the URL a job answered with. The URL's token is the credential
 * (docs/security.md, "Statement files"): no key is needed, so a `path` handed to a browser or
 * fetched bare works as Mono's does; a request that sends a key anyway must send the owning
 * app's, or it is not found. Never cached, never sent as a referrer, always a download.
 */
export function register(app: HttpApp, services: Services) {
  app.route({
    ...routeOf(downloadStatement),
    handler: async (request, reply) => {
      const caller = await authenticateOptionalSecret(request, services);
      const file = await services.statements.file(request.params.token, caller?.id);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="statement-${file.accountId}-${file.jobId}.pdf"`)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .send(file.content);
    },
  });
}
