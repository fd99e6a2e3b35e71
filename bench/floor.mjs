#!/usr/bin/env node
// The floor: a bare Fastify, the same framework and version Relink runs, doing nothing but
// answer. GET /get returns a small JSON object; POST /echo validates a JSON body against a
// schema (like Relink's routes) and returns it. Run as its own process by bench/http.bench.mjs;
// prints its URL on stdout. `node bench/floor.mjs N` runs N cluster workers on one port, as
// `relink serve --workers N` does, so a multi-worker Relink is compared with a floor of as many.
import cluster from 'node:cluster';
import Fastify from 'fastify';

const workers = Number(process.argv[2] ?? 1);

if (workers > 1 && cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers) process.stdout.write(`floor listening on http://127.0.0.1:${address.port}\n`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.once('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM');
    cluster.on('exit', () => Object.keys(cluster.workers).length === 0 && process.exit(0));
  });
} else {
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
  if (!cluster.isWorker) process.stdout.write(`floor listening on ${address}\n`);
  process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
}
