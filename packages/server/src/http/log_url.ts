/**
 * Query parameters whose values may be logged: paging, filters and names of things, none of
 * them a secret or about a person. An allow-list, not a deny-list, because a query string is
 * whatever a client sends: connect.js puts `reauth_token`, the customer's name and email
 * (`data`) and the partner's `reference` there, a partner may add a parameter of its own, and a
 * value nobody thought of is redacted rather than logged. `narration` is not here: it is a
 * search for words in a transaction (often a person's name).
 */
const LOGGED = new Set([
  'page',
  'limit',
  'paginate',
  'start',
  'end',
  'type',
  'status',
  'scope',
  'auth_method',
  'country',
  'bank_code',
  'version',
  'event_id',
  // The accounts list's filters: flags, ids and times.
  'reauth_required',
  'institution',
  'customer',
  'data_status',
  'linked_since',
  'linked_before',
  'synced_since',
  'not_synced_since',
  'period',
  'output',
  'format',
]);

/**
 * `key` is the widget's public key, published in every page that embeds connect.js: it
 * authorises nothing secret, and it is how an operator tells which app a widget request came
 * from. Kept only in a public key's shape, so a secret key pasted there by mistake is not.
 */
const PUBLIC_KEY = /^(test|live)_pk_[0-9A-Za-z]{1,64}$/;
/** A name a person would give a parameter; any other name (a token sent as `?eyJ…`) is redacted too. */
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_[\].-]{0,63}$/;
/** What those parameters hold (numbers, dates, words, ids); anything else there (an email as `?page=`) is redacted too. */
const PLAIN_VALUE = /^[\w.:,+ -]{1,64}$/;

export const REDACTED = '[redacted]';

/**
 * Paths that are credentials: a hosted link's id is the link (whoever has it can open the page a
 * partner sent its customer), a statement file's token is the file, and a console set-up link's
 * token sets an operator's password.
 */
const CAPABILITY_PATH = /^(\/connect\/link\/|\/v2\/statements\/|\/dashboard\/setup\/)[^/?]+/;

/** A request's URL as a log line may show it: the path, and the query with every value not known to be harmless redacted. */
export function loggedUrl(url: string): string {
  const mark = url.indexOf('?');
  const path = (mark === -1 ? url : url.slice(0, mark)).replace(CAPABILITY_PATH, `$1${REDACTED}`);
  if (mark === -1) return path;
  const pairs = url
    .slice(mark + 1)
    .split('&')
    .filter((pair) => pair !== '');
  return `${path}?${pairs.map(loggedPair).join('&')}`;
}

function loggedPair(pair: string): string {
  const equals = pair.indexOf('=');
  const rawName = equals === -1 ? pair : pair.slice(0, equals);
  const rawValue = equals === -1 ? undefined : pair.slice(equals + 1);
  const name = decoded(rawName);
  if (name === undefined || !PARAMETER_NAME.test(name)) return REDACTED;
  // A bare word (`?pass_good`) is a value without a name.
  if (rawValue === undefined || rawValue === '') return LOGGED.has(name) ? pair : REDACTED;
  const value = decoded(rawValue) ?? '';
  const harmless = (LOGGED.has(name) && PLAIN_VALUE.test(value)) || (name === 'key' && PUBLIC_KEY.test(value));
  return harmless ? pair : `${rawName}=${REDACTED}`;
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
