import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App } from '../services.ts';

export type { Services } from '../services.ts';

export type HttpApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `none` opens a route to callers without a key; `public` takes the app's public key (the widget, connect/plugin.ts); every other route needs `mono-sec-key`. */
    auth?: 'secret' | 'none' | 'public';
  }
  interface FastifyRequest {
    /** The app whose secret key authenticated this request. */
    partner: App | null;
  }
}
