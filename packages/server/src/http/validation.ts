import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

/**
 * Turns Ajv's errors into one sentence that names every bad field the way a caller wrote
 * it: `body.password is required; query.limit must be <= 100`.
 */
export function describeValidation(context: string, errors: FastifySchemaValidationError[]): string {
  const parts = new Set<string>();
  const constants = new Map<string, unknown[]>();
  for (const error of errors) {
    const base = [contextName(context), ...pathOf(error.instancePath)].join('.');
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required') parts.add(`${base}.${String(params.missingProperty)} is required`);
    else if (error.keyword === 'additionalProperties') parts.add(`${base}.${String(params.additionalProperty)} is not allowed`);
    else if (error.keyword === 'anyOf' || error.keyword === 'oneOf') parts.add(`${base} does not match any allowed shape`);
    else if (error.keyword === 'const') constants.set(base, [...(constants.get(base) ?? []), params.allowedValue]);
    else if (error.keyword === 'enum') parts.add(`${base} must be one of ${allowed(params.allowedValues)}`);
    else parts.add(`${base} ${error.message ?? 'is invalid'}`);
  }
  for (const [base, values] of constants) parts.add(`${base} must be one of ${allowed(values)}`);
  // A failed union reports each branch; keep the specific lines when there are some.
  const specific = [...parts].filter((p) => !p.endsWith('does not match any allowed shape'));
  return `Invalid request: ${(specific.length > 0 ? specific : [...parts]).join('; ')}`;
}

function contextName(context: string): string {
  return context === 'querystring' ? 'query' : context;
}

function pathOf(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function allowed(values: unknown): string {
  return (Array.isArray(values) ? values : [values]).map((v) => JSON.stringify(v)).join(', ');
}
