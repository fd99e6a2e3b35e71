import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PartnerDb, User } from '../db.ts';

const COOKIE = 'kudi_session';

export interface Signed {
  user: User;
  token: string;
}

/** The signed-in user of this request, from the session cookie. */
export function signedIn(db: PartnerDb, request: FastifyRequest): Signed | undefined {
  const token = cookie(request.headers.cookie, COOKIE);
  const user = token ? db.sessions.user(token) : undefined;
  return user && token ? { user, token } : undefined;
}

/** For routes behind sign-in: the user, or a redirect to the sign-in page (401 for scripts). */
export function requireUser(db: PartnerDb, request: FastifyRequest, reply: FastifyReply): Signed | undefined {
  const signed = signedIn(db, request);
  if (!signed) {
    if (request.method === 'GET' && request.headers.accept?.includes('text/html')) reply.redirect('/', 303);
    else reply.code(401).send({ message: 'Sign in first' });
  }
  return signed;
}

export function registerAuth(app: FastifyInstance, db: PartnerDb) {
  app.post<{ Body: { user?: string } }>('/signin', async (request, reply) => {
    const user = db.users.get(String(request.body?.user ?? ''));
    if (!user) return reply.code(400).type('text/plain').send('Unknown demo user');
    const token = db.sessions.create(user.id);
    // HttpOnly: no script reads it; SameSite=Lax: another site's form cannot post with it.
    reply.header('set-cookie', `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000`);
    return reply.redirect('/', 303);
  });

  app.post('/signout', async (request, reply) => {
    const signed = signedIn(db, request);
    if (signed) db.sessions.delete(signed.token);
    reply.header('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return reply.redirect('/', 303);
  });
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
