#!/usr/bin/env node
// The floor: a bare Fastify, the same framework and version Relink runs, doing nothing but
// answer. GET /get returns a small JSON object; POST /echo validates a JSON body against a
// schema (like Relink's routes) and returns it. Run as its own process by bench/http.bench.mjs;
// prints its URL on stdout.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/get', async () => ({ status: 'ok' }));
app.post('/echo', {
  schema: {
    body: {
      type: 'object',
      required: ['institution', 'auth_method'],
      properties: {
        institution: { type: 'string' },
        auth_method: { type: 'string' },
        scope: { type: 'string' },
        customer: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } } },
      },
    },
  },
  handler: async (request) => ({ status: 'successful', data: request.body }),
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`floor listening on ${address}\n`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
