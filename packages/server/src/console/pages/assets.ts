import type { ConsoleApp } from '../context.ts';
import { STYLESHEET } from '../style.ts';

/** The console's stylesheet, at a path that names its content hash: cached for a year. */
export function register(scope: ConsoleApp) {
  scope.get(STYLESHEET.path.replace('/dashboard', ''), {
    config: { console: 'public' },
    schema: { hide: true },
    handler: async (_request, reply) => {
      reply.headers({ 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' });
      return STYLESHEET.body;
    },
  });
}
