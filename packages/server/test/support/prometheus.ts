/**
 * A strict parser of Prometheus' text exposition format 0.0.4, for the tests of `GET /metrics`.
 * prom-client writes the format but does not read it, and the parsers on npm are lenient (they
 * accept a bad name, a series given twice, a histogram whose buckets go down): this one throws,
 * naming the line, on anything the format does not allow, so a test that reads a scrape also
 * proves the scrape is well formed. Stricter than the format in one way: every sample's family
 * must be declared by a `# TYPE` line before it (every series Relink serves declares its type).
 *
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
export type Labels = Record<string, string>;

export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string | undefined;
  samples: Sample[];
}

export type Scrape = Map<string, Family>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class ExpositionError extends Error {
  constructor(line: number, problem: string, text?: string) {
    super(`line ${line}: ${problem}${text === undefined ? '' : `: ${JSON.stringify(text)}`}`);
    this.name = 'ExpositionError';
  }
}

/** Parses a whole exposition; throws `ExpositionError` at the first thing wrong with it. */
export function parseExposition(text: string): Scrape {
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionError(text.split('\n').length, 'the exposition must end with a line feed');
  const families: Scrape = new Map();
  const typed = new Set<string>();
  const series = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    const n = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest = ''] = match;
      if (!METRIC_NAME.test(name!)) throw new ExpositionError(n, 'invalid metric name', name);
      let family = families.get(name!);
      if (!family) families.set(name!, (family = { name: name!, type: 'untyped', help: undefined, samples: [] }));
      if (family.samples.length > 0) throw new ExpositionError(n, `# ${keyword} after the family's samples`, line);
      if (family !== current && (family.help !== undefined || typed.has(family.name)))
        throw new ExpositionError(n, `# ${keyword} of ${family.name} away from the rest of its family`, line);
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw new ExpositionError(n, 'a second # HELP', line);
        family.help = unescape(rest, n);
      } else {
        if (typed.has(family.name)) throw new ExpositionError(n, 'a second # TYPE', line);
        if (!TYPES.has(rest.trim() as MetricType)) throw new ExpositionError(n, 'unknown type', rest);
        family.type = rest.trim() as MetricType;
        typed.add(family.name);
      }
      current = family;
      return;
    }
    const sample = parseSample(line, n);
    const family = familyOf(sample.name, families, typed);
    if (!family) throw new ExpositionError(n, 'a sample of no declared family (# TYPE)', line);
    if (family !== current) throw new ExpositionError(n, `a sample of ${family.name} away from the rest of its family`, line);
    checkMember(family, sample, n, line);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (series.has(key)) throw new ExpositionError(n, 'the same series twice', line);
    series.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSample(line: string, n: number): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?[ \t]+(\S+)(?:[ \t]+(-?\d+))?$/.exec(line);
  if (!match) throw new ExpositionError(n, 'not a sample line', line);
  const [, name, braces, raw] = match;
  return { name: name!, labels: braces ? parseLabels(braces.slice(1, -1), n) : {}, value: parseValue(raw!, n) };
}

function parseLabels(body: string, n: number): Labels {
  const labels: Labels = {};
  let at = 0;
  while (at < body.length) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(body.slice(at));
    if (!match) throw new ExpositionError(n, 'a malformed label', body.slice(at));
    const name = match[1]!;
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new ExpositionError(n, 'a reserved or invalid label name', name);
    if (Object.hasOwn(labels, name)) throw new ExpositionError(n, 'a label given twice', name);
    at += match[0].length;
    let value = '';
    for (;;) {
      const c = body[at];
      if (c === undefined) throw new ExpositionError(n, 'an unterminated label value', body);
      if (c === '"') break;
      if (c === '\n') throw new ExpositionError(n, 'a raw line feed in a label value', body);
      if (c === '\\') {
        const next = body[at + 1];
        if (next === '\\' || next === '"') value += next;
        else if (next === 'n') value += '\n';
        else throw new ExpositionError(n, 'an invalid escape in a label value', body.slice(at, at + 2));
        at += 2;
        continue;
      }
      value += c;
      at++;
    }
    labels[name] = value;
    at++;
    if (body[at] === ',') at++;
    else if (at < body.length) throw new ExpositionError(n, 'labels must be separated by commas', body.slice(at));
  }
  return labels;
}

/** A value as Go's ParseFloat reads it, which the format names: NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(raw: string, n: number): number {
  if (/^nan$/i.test(raw)) return Number.NaN;
  if (/^\+?inf(inity)?$/i.test(raw)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(raw)) return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw new ExpositionError(n, 'not a number', raw);
  return Number(raw);
}

/** A # HELP docstring: `\\` and `\n` are its only escapes. */
function unescape(text: string, n: number): string {
  return text.replace(/\\(.?)/g, (all, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new ExpositionError(n, 'an invalid escape', all);
  });
}

/** The family a sample name belongs to: itself, or a histogram's or summary's `_bucket`, `_sum`, `_count`. */
function familyOf(name: string, families: Scrape, typed: Set<string>): Family | undefined {
  if (typed.has(name)) return families.get(name);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return base;
  }
  return undefined;
}

function checkMember(family: Family, sample: Sample, n: number, line: string) {
  const suffix = sample.name.slice(family.name.length);
  if (family.type === 'histogram') {
    if (suffix === '') throw new ExpositionError(n, 'a histogram sample must be _bucket, _sum or _count', line);
    if ((suffix === '_bucket') !== Object.hasOwn(sample.labels, 'le')) throw new ExpositionError(n, 'le belongs on _bucket samples alone', line);
  }
  if (family.type === 'counter' && !(sample.value >= 0)) throw new ExpositionError(n, 'a counter below zero (or NaN)', line);
  if ((family.type === 'histogram' || family.type === 'summary') && suffix === '_count' && !(sample.value >= 0))
    throw new ExpositionError(n, 'a negative count', line);
}

/** Per label set: buckets ascending in `le` with counts that never go down, `+Inf` equal to `_count`, and a `_sum`. */
function checkHistogram(family: Family) {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name.endsWith('_bucket')) group.buckets.push([parseValue(le!, 0), sample.value]);
    else if (sample.name.endsWith('_count')) group.count = sample.value;
    else group.sum = sample.value;
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`;
    if (group.count === undefined || group.sum === undefined) throw new ExpositionError(0, 'a histogram without _count or _sum', where);
    const last = group.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY) throw new ExpositionError(0, 'a histogram without its le="+Inf" bucket last', where);
    if (last[1] !== group.count) throw new ExpositionError(0, 'the +Inf bucket differs from _count', where);
    for (let i = 1; i < group.buckets.length; i++) {
      if (!(group.buckets[i]![0] > group.buckets[i - 1]![0])) throw new ExpositionError(0, 'buckets out of order', where);
      if (group.buckets[i]![1] < group.buckets[i - 1]![1]) throw new ExpositionError(0, 'a bucket counting fewer than the one before', where);
    }
  }
}

/** The value of the one sample named `name` with exactly these labels, or 0 when the scrape has none. */
export function valueOf(scrape: Scrape, name: string, labels: Labels = {}): number {
  for (const family of scrape.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      const keys = Object.keys(sample.labels);
      if (keys.length === Object.keys(labels).length && keys.every((k) => sample.labels[k] === labels[k])) return sample.value;
    }
  }
  return 0;
}

/** Every sample of the scrape, flat. */
export function samplesOf(scrape: Scrape): Sample[] {
  return [...scrape.values()].flatMap((family) => family.samples);
}
