import { asset, type AssetName } from '@relink/connect/bundle';
import type { HttpApp, Services } from '../../http/types.ts';

const ROUTES: Record<string, AssetName> = {
  '/connect.js': 'connect.js',
  '/connect/widget.js': 'widget.js',
  '/connect/widget.css': 'widget.css',
  '/connect/demo.js': 'demo.js',
};

/** connect.js and the widget's own script and stylesheet, built once per process (packages/connect). */
export function register(app: HttpApp, _services: Services) {
  for (const [url, name] of Object.entries(ROUTES)) {
    app.get(url, {
      config: { auth: 'none' },
      schema: { summary: `Connect: ${name}`, tags: ['Connect widget'], hide: true },
      handler: async (request, reply) => {
        const built = await asset(name);
        reply.headers({
          'content-type': built.type,
          etag: built.etag,
          'cache-control': 'public, max-age=300',
          'x-content-type-options': 'nosniff',
          // connect.js is loaded by partner pages of any origin.
          'cross-origin-resource-policy': 'cross-origin',
        });
        if (request.headers['if-none-match'] === built.etag) return reply.code(304).send();
        return built.body;
      },
    });
  }
}
