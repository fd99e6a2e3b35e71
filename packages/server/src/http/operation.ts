import type { Operation } from '@relink/contract';
import type { FastifyContextConfig } from 'fastify';

type Schema<O extends Operation, K extends keyof Operation> = O extends { readonly [P in K]: infer S } ? S : undefined;
type Responses<O extends Operation> = O extends { readonly status: 201 }
  ? { 201: O['response']; '4xx': O['failure'] }
  : { 200: O['response']; '4xx': O['failure'] };

/**
 * A contract operation as the route options Fastify needs: method, URL, the schema that
 * validates and serialises it and describes it in the OpenAPI document. A route file spreads
 * it and adds its handler: `app.route({ ...routeOf(getAccount), handler })`.
 */
export function routeOf<const O extends Operation>(op: O, config: FastifyContextConfig = {}) {
  const schema = {
    summary: op.summary,
    ...(op.description === undefined ? {} : { description: op.description }),
    tags: [...op.tags],
    params: op.params as Schema<O, 'params'>,
    querystring: op.query as Schema<O, 'query'>,
    headers: op.headers as Schema<O, 'headers'>,
    body: op.body as Schema<O, 'body'>,
    response: { [op.status ?? 200]: op.response, '4xx': op.failure } as Responses<O>,
  };
  // An absent part is left out, not set to undefined, which Fastify warns about (FSTWRN001).
  for (const part of ['params', 'querystring', 'headers', 'body'] as const) if (schema[part] === undefined) delete schema[part];
  return { method: op.method, url: op.path, config: op.auth ? { ...config, auth: op.auth } : config, schema };
}
