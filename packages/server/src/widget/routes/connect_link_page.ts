import { Type } from 'typebox';
import type { HttpApp, Services } from '../../http/types.ts';
import { widgetHeaders, widgetPage } from '../page.ts';
import { linkRedirect } from '../links.ts';
import type { ConnectService } from '../service.ts';
import { widgetConfig } from '../widget_config.ts';

const PROBLEMS = {
  not_found: { status: 404, title: 'This link does not work', message: 'Check that you opened the whole link you were sent, or ask for a new one.' },
  used: { status: 410, title: 'This link was already used', message: 'Each link works once. Ask for a new one if you need to link another account.' },
  expired: { status: 410, title: 'This link has expired', message: 'Links work for 24 hours. Ask for a new one.' },
} as const;

/** `GET /connect/link/:id`: a hosted link's page, the widget as a whole page. */
export function register(app: HttpApp, services: Services, connect: ConnectService) {
  app.get('/connect/link/:id', {
    config: { auth: 'none' },
    schema: {
      summary: 'A hosted link page (mono_url of POST /v2/accounts/initiate)',
      tags: ['Connect widget'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
    },
    handler: async (request, reply) => {
      const found = await connect.links.forPage(request.params.id);
      if ('problem' in found) {
        const problem = PROBLEMS[found.problem];
        const { config } = widgetConfig({ app: undefined, query: {}, allowedOrigins: null, institutions: services.institutions });
        reply.code(problem.status).headers(widgetHeaders([]));
        return widgetPage({ ...config, mode: 'hosted', problem: { title: problem.title, message: problem.message } });
      }
      const { link, app: owner } = found;
      const { config } = widgetConfig({
        app: owner,
        query: {
          reference: link.reference ?? undefined,
          ...(link.institution_id ? { selectedInstitution: JSON.stringify({ id: link.institution_id, auth_method: link.auth_method }) } : {}),
          // The link names its account on the server: the page carries no account id.
          ...(link.scope === 'reauth' ? { scope: 'reauth' } : {}),
        },
        allowedOrigins: null,
        institutions: services.institutions,
        sandboxPasswords: owner.mode === 'test' ? await services.sandbox.changedPasswords() : [],
      });
      reply.headers(widgetHeaders(["'self'"]));
      return widgetPage({
        ...config,
        mode: 'hosted',
        parentOrigin: null,
        link: link.id,
        cancelUrl: link.redirect_url ? linkRedirect(link.redirect_url, { reference: link.reference, status: 'cancelled' }) : null,
      });
    },
  });
}
