import { Type } from 'typebox';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { database }: Services) {
  app.get('/health', {
    config: { auth: 'none' },
    schema: {
      summary: 'Health: answers 200 when the database answers, 503 when it does not',
      tags: ['Operations'],
      response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }) },
    },
    handler: async () => {
      try {
        await database.ping();
      } catch {
        throw new AppError('SERVICE_UNAVAILABLE', 'Database unreachable', {}, { 'retry-after': '5' });
      }
      return { status: 'ok' as const, database: database.kind };
    },
  });
}
