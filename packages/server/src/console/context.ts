import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpApp, Services } from '../http/types.ts';
import type { Actor, ConsoleSession } from '../operators/service.ts';
import type { Frame } from './layout.ts';
import { csrfToken, newPreSecret, PRE_COOKIE, setCookie } from './security.ts';

/** The console's Fastify scope (every route under /dashboard). */
export type ConsoleApp = HttpApp;

/** What one console module adds: its routes, over the services. */
export interface ConsolePage {
  register(scope: ConsoleApp, services: Services): void;
}

/** What the console's hook found about a request: the session, and the secret its forms' CSRF tokens come from. */
export interface ConsoleRequest {
  session: ConsoleSession | undefined;
  /** The session's secret when signed in, else the pre-sign-in cookie's value (if any). */
  secret: string | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `public`: a console route that needs no session (sign-in, set-up, the stylesheet). */
    console?: 'public';
  }
  interface FastifyRequest {
    console: ConsoleRequest | null;
  }
}

/** The signed-in operator's session; the hook has already sent everyone else to sign in. */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  const session = request.console?.session;
  if (!session) throw new Error('a console route that needs a session ran without one');
  return session;
}

export function frameOf(request: FastifyRequest): Frame {
  const session = sessionOf(request);
  return { email: session.operator.email, csrf: csrfToken(session.secret) };
}

export function actorOf(request: FastifyRequest): Actor {
  const { operator } = sessionOf(request);
  return { operatorId: operator.id, email: operator.email };
}

/**
 * The CSRF token for a page shown before sign-in: derived from the pre-sign-in cookie, which
 * is set now if the browser did not send one.
 */
export function preSignInToken(request: FastifyRequest, reply: FastifyReply, services: Services): string {
  let secret = request.console?.secret;
  if (!secret || request.console?.session) {
    secret = request.console?.session?.secret ?? newPreSecret();
    if (!request.console?.session) setCookie(request, reply, PRE_COOKIE, secret, services.publicUrl);
  }
  return csrfToken(secret);
}

/** A posted form's fields as strings (the first of a repeated field); anything else is left out. */
export function formOf(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    const one: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof one === 'string') out[name] = one;
  }
  return out;
}

/** Sends a whole page with `status`. */
export function sendPage(reply: FastifyReply, status: number, page: string) {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(page);
}

/** After a POST that changed something: back to a page (303, so a reload does not post again). */
export function seeOther(reply: FastifyReply, path: string) {
  return reply.code(303).header('location', path).send();
}
