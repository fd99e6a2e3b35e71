import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.ts';
import type { HttpApp, Services } from '../http/types.ts';
import { DomainError } from '../lib/errors.ts';
import { type ConsolePage, formOf, frameOf, sendPage } from './context.ts';
import * as accounts from './pages/accounts.ts';
import * as app from './pages/app.ts';
import * as apps from './pages/apps.ts';
import * as assets from './pages/assets.ts';
import * as audit from './pages/audit.ts';
import * as overview from './pages/overview.ts';
import * as setup from './pages/setup.ts';
import * as signIn from './pages/sign_in.ts';
import * as webhooks from './pages/webhooks.ts';
import { problemPage } from './problem.ts';
import { cookieOf, CSRF_FIELD, csrfMatches, PAGE_HEADERS, PRE_COOKIE, sameOrigin, SESSION_COOKIE, setCookie } from './security.ts';

/** Every console module; a new page is one module here. */
const PAGES: ConsolePage[] = [assets, signIn, setup, overview, accounts, apps, app, webhooks, audit];

/**
 * The operator console at /dashboard, in its own plugin scope: server-rendered pages and plain
 * forms. Before any handler: the page headers (CSP, no-store), the session from its cookie (a
 * page that needs one sends everyone else to sign in), and on every POST the CSRF check (the
 * form's token, and the browser's Origin and Sec-Fetch-Site). Failures answer as pages.
 */
export async function registerConsole(root: HttpApp, services: Services) {
  await root.register(
    async (scope) => {
      scope.decorateRequest('console', null);
      scope.addHook('onRequest', async (request, reply) => {
        reply.headers(PAGE_HEADERS);
        const cookie = cookieOf(request, SESSION_COOKIE);
        const session = cookie ? await services.operators.session(cookie) : undefined;
        request.console = { session, secret: session?.secret ?? cookieOf(request, PRE_COOKIE) };
        if (cookie && !session) setCookie(request, reply, SESSION_COOKIE, null, services.publicUrl);
        if (!session && request.routeOptions.config.console !== 'public') {
          reply.code(303).header('location', '/dashboard/sign-in');
          return reply.send();
        }
      });
      scope.addHook('preHandler', async (request, reply) => {
        if (request.method !== 'POST') return;
        const sameSite = sameOrigin(request, services.publicUrl);
        if (sameSite && csrfMatches(request.console?.secret, formOf(request)[CSRF_FIELD])) return;
        const frame = request.console?.session ? frameOf(request) : undefined;
        return sendPage(
          reply,
          403,
          problemPage(
            {
              status: 403,
              title: 'Form refused',
              message: sameSite
                ? 'This form was not sent from a page of this console, or the page is too old (its security token does not match your session). Nothing was changed: open the page again and resend the form.'
                : 'This form was sent from another site. Nothing was changed.',
            },
            frame,
          ),
        );
      });
      scope.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply, services));
      scope.setNotFoundHandler((request, reply) =>
        sendPage(
          reply,
          404,
          problemPage(
            { status: 404, title: 'Not found', message: `There is no console page at ${request.url.split('?')[0]}.` },
            request.console?.session ? frameOf(request) : undefined,
          ),
        ),
      );
      for (const page of PAGES) page.register(scope, services);
    },
    { prefix: '/dashboard' },
  );
}

/** A failure as a page: the catalogue's status and message for a `DomainError`, a request id for anything else. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, services: Services) {
  let status: number;
  let message: string;
  if (error instanceof DomainError) {
    const known = AppError.from(error);
    status = known.status;
    message = known.message;
    reply.headers(known.headers);
  } else if (error.validation || (error.statusCode !== undefined && error.statusCode < 500)) {
    status = error.statusCode ?? 400;
    message = 'The request was malformed; open the page again and resend the form.';
  } else {
    services.logger.error({ reqId: request.id, err: error }, 'console error');
    status = 500;
    message = `Something went wrong; quote request id ${request.id} when reporting it.`;
  }
  reply.headers(PAGE_HEADERS);
  const frame = request.console?.session ? frameOf(request) : undefined;
  return sendPage(reply, status, problemPage({ status, title: status === 429 ? 'Too many requests' : 'That did not work', message }, frame));
}
