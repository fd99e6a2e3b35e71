import { AppError } from './errors.ts';

/**
 * How deeply a request body may nest. Mono's bodies are at most three levels deep; 32 leaves
 * room for any honest client and keeps every later walk of the body (validation, the
 * idempotency hash) far from the stack limit that a 5,000-deep body reaches.
 */
export const MAX_JSON_DEPTH = 32;

/** JSON.parse behind a nesting check that runs first, in one pass over the text. */
export function parseJsonBody(text: string): unknown {
  if (nestingExceeds(text, MAX_JSON_DEPTH)) throw new AppError('INVALID_JSON', `Request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('INVALID_JSON', `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The body as canonical JSON (object keys sorted at every level), so two bodies that mean the
 * same, whatever their key order, hash alike under one Idempotency-Key.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
