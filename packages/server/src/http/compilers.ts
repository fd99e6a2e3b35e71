import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector, type Serializer, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

/**
 * Route schemas compiled once per process, not once per server. Fastify builds a new Ajv and
 * recompiles every validator and serializer for each instance it creates (about 0.3 s of CPU
 * here, most of a server's start); the schemas are the contract's, the same objects for every
 * server. `relink serve` starts one server, so this changes nothing there; a process that starts
 * several (the tests, an embedding application) compiles each schema once. Both are Fastify's
 * own compilers: one shared Ajv (which keeps what it compiled, by schema), and
 * fast-json-stringify with its output kept by schema.
 */
export const buildValidator: ReturnType<typeof AjvCompiler> = AjvCompiler();
const serializerPools = new Map<string, WeakMap<object, Serializer>>();
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const build = SerializerSelector()(externalSchemas, options);
  const key = JSON.stringify([externalSchemas, options]);
  const compiled = serializerPools.get(key) ?? new WeakMap<object, Serializer>();
  serializerPools.set(key, compiled);
  return (route) => {
    const schema = route.schema;
    if (typeof schema !== 'object' || schema === null) return build(route);
    let serialize = compiled.get(schema);
    if (!serialize) compiled.set(schema, (serialize = build(route)));
    return serialize;
  };
};
