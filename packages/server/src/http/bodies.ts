import { AppError } from './errors.ts';
import { parseJsonBody } from './json.ts';
import type { HttpApp } from './types.ts';

/**
 * The bodies Relink reads: JSON, and forms read like JSON (Mono's axios clients send them);
 * an empty body of either is no body; any other content type is refused unless it is empty.
 */
export function registerBodyParsers(app: HttpApp): void {
  // JSON bodies: an empty body is no body (curl -X POST with no data); a malformed one is a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      done(error as AppError, undefined);
    }
  });

  // Existing Mono clients built on axios send bodiless POSTs (sync, unlink, reauthorise) as
  // form-encoded with no body, and may send form-encoded bodies: both are read like JSON.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseForm(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Any other content type (text/plain included) is refused, unless there is no body at all.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(
      new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Unsupported content-type "${request.headers['content-type'] ?? ''}": send JSON (application/json) or a form (application/x-www-form-urlencoded)`,
      ),
      undefined,
    );
  });
}

const FORM_KEY = /^([^[\]]+)(?:\[([^[\]]*)\])?$/;

/**
 * A form body as the object JSON would have given: every value a string (the route schema
 * coerces numbers), `a[b]=c` as `{a:{b:c}}` one level deep, a repeated name as an array.
 * Keys become own properties, as with JSON.parse, so `__proto__` cannot reach a prototype.
 */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, key: string, value: string) => {
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    const next = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    Object.defineProperty(target, key, { value: next, enumerable: true, writable: true, configurable: true });
  };
  for (const [name, value] of new URLSearchParams(text)) {
    const match = FORM_KEY.exec(name);
    if (!match) throw new AppError('INVALID_INPUT', `Invalid request: form field name "${name}" is malformed (use name or name[key])`);
    const [, outer, inner] = match as unknown as [string, string, string | undefined];
    if (inner === undefined || inner === '') {
      put(out, outer, value);
      continue;
    }
    const nested = Object.hasOwn(out, outer) ? out[outer] : undefined;
    if (nested !== undefined && (typeof nested !== 'object' || Array.isArray(nested))) {
      throw new AppError('INVALID_INPUT', `Invalid request: form field "${outer}" is given both as a value and as ${outer}[${inner}]`);
    }
    const object = (nested as Record<string, unknown> | undefined) ?? {};
    if (nested === undefined) Object.defineProperty(out, outer, { value: object, enumerable: true, writable: true, configurable: true });
    put(object, inner, value);
  }
  return out;
}
