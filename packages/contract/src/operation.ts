import type { Static, TSchema } from 'typebox';

/**
 * One HTTP operation of the Partners API or of the Connect widget's API: where it lives, what
 * it takes and what it answers. The server registers its route from this (schema, validation,
 * serialisation, OpenAPI), the SDK builds its request from it and takes its types, and the
 * widget (packages/connect) types its calls with it, so none of them can drift. `path` uses
 * `:name` for path parameters, as Fastify routes do.
 */
export interface Operation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** `secret` (default): `mono-sec-key`; `public`: the app's public key in `x-public-key` (the widget's API); `none`: no key (connect.js's institution list). */
  readonly auth?: 'secret' | 'public' | 'none';
  readonly params?: TSchema;
  readonly query?: TSchema;
  readonly headers?: TSchema;
  readonly body?: TSchema;
  /** The success status: 200 unless said. */
  readonly status?: 200 | 201;
  readonly response: TSchema;
  /** The API generation's failure envelope (`V1Failure` or `V2Failure`). */
  readonly failure: TSchema;
}

/** Declares an operation, keeping its literal types for the server's and the SDK's inference. */
export function operation<const O extends Operation>(op: O): O {
  return op;
}

type StaticOf<O, K extends keyof Operation> = O extends { readonly [P in K]: infer S extends TSchema } ? Static<S> : undefined;

/** The path parameters an operation takes (`{id}`), or undefined. */
export type ParamsOf<O extends Operation> = StaticOf<O, 'params'>;
/** Its query string, or undefined. */
export type QueryOf<O extends Operation> = StaticOf<O, 'query'>;
/** Its JSON body, or undefined. */
export type BodyOf<O extends Operation> = StaticOf<O, 'body'>;
/** Its request headers beyond the key, or undefined. */
export type HeadersOf<O extends Operation> = StaticOf<O, 'headers'>;
/** What it answers on success. */
export type ReplyOf<O extends Operation> = Static<O['response']>;
/** What it answers on failure (4xx). */
export type FailureOf<O extends Operation> = Static<O['failure']>;
/** A v2 reply's `data`. */
export type DataOf<O extends Operation> = ReplyOf<O> extends { data: infer D } ? D : never;

/** `/v2/accounts/:id` with `{id: "abc"}` → `/v2/accounts/abc`, each value URL-encoded. */
export function pathOf(op: Pick<Operation, 'path'>, params: Record<string, string> = {}): string {
  return op.path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`${op.path}: the path parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
}
