import { initiateLink } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';
import { linkPageUrl } from '../links.ts';

/**
 * `POST /v2/accounts/initiate` (Mono's Connect Link): a hosted page a partner can send the user
 * to. Single use, expires after 24 hours; afterwards the user goes to `redirect_url` with
 * `code`, `reference` and `status` in its query.
 */
export function register(app: HttpApp, services: Services) {
  const { connect } = services;
  app.route({
    ...routeOf(initiateLink),
    handler: async (request) => {
      const { scope, customer, account, meta, redirect_url, institution } = request.body;
      if (redirect_url !== undefined) checkRedirect(redirect_url);
      if (institution && !services.institutions.get(institution.id)) throw new AppError('INSTITUTION_NOT_FOUND', `No institution with id ${institution.id}`);
      const link = await connect.links.initiate(request.partner!, {
        scope: scope as 'auth' | 'reauth',
        customer,
        account,
        reference: meta?.ref,
        redirectUrl: redirect_url,
        institution: institution && { id: institution.id, authMethod: institution.auth_method },
      });
      return successV2('Request was successfully completed', {
        mono_url: linkPageUrl(services.publicUrl ?? '', link.id),
        customer: link.customer_id,
        account: link.account_id,
        meta: link.reference ? { ref: link.reference } : {},
        scope: link.scope,
        institution: link.institution_id,
        auth_method: link.auth_method,
        redirect_url: link.redirect_url,
        created_at: new Date(link.created_at).toISOString(),
      });
    },
  });
}

function checkRedirect(value: string) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('INVALID_INPUT', 'Invalid request: body.redirect_url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('INVALID_INPUT', 'Invalid request: body.redirect_url must be an http(s) URL');
}
