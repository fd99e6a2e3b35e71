import { type Html, html } from './html.ts';

/**
 * Charts drawn by the server as SVG: no script, no library, nothing fetched. Widths are
 * percentages of the page and text is in CSS pixels, so the bars stretch with the screen while
 * the labels stay readable at 360 px. Each chart is an image with a title and a description
 * (`role="img"`); its numbers are also in a table next to it (the callers' `<details>`). Two
 * series are told apart by a pattern as well as colour.
 */

const TEXT = '#1b1f24';
const GRID = '#d0d5dd';
const FONT = 'system-ui, sans-serif';

/** One series of a daily chart: its name and fill (a colour, or `stripes` for a striped green). */
export interface Series {
  name: string;
  values: (number | null)[];
  fill: 'red' | 'stripes' | 'blue';
}

const FILLS = { red: '#b42318', blue: '#175cd3', green: '#067647' } as const;

function fillOf(id: string, fill: Series['fill']): string {
  return fill === 'stripes' ? `url(#${id}-stripes)` : FILLS[fill];
}

function stripes(id: string): Html {
  return html`<defs><pattern id="${id}-stripes" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${FILLS.green}"/><rect width="2" height="6" fill="#d1fadf"/></pattern></defs>`;
}

/** The legend under a chart: each series' swatch (the same fill, pattern included) and name. */
export function legend(series: Pick<Series, 'name' | 'fill'>[]): Html {
  return html`<ul class="legend" aria-hidden="true">${series.map((s) => html`<li><span class="swatch ${s.fill}"></span>${s.name}</li>`)}</ul>`;
}

/** A round upper bound for an axis: 1, 2, 5, 10, 20, 50… at or above `max`. */
function niceMax(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** A round upper bound for seconds: a minute, 5, 10, 30 minutes, an hour, 6 hours, a day, then days. */
function niceSeconds(max: number): number {
  for (const s of [60, 300, 600, 1800, 3600, 6 * 3600, 86_400]) if (max <= s) return s;
  return Math.ceil(max / 86_400) * 86_400;
}

const pct = (n: number) => `${(Math.round(n * 1000) / 1000).toString()}%`;

/**
 * Horizontal bars, one row each: the label above its bar, the value at the bar's end. For a
 * funnel or a breakdown; bars are scaled to the largest value (at most 70% of the width, leaving room for the value).
 */
export function barChart(input: { id: string; title: string; description: string; bars: { label: string; value: number; note?: string }[] }): Html {
  const rowHeight = 50;
  const height = input.bars.length * rowHeight + 4;
  const max = Math.max(1, ...input.bars.map((b) => b.value));
  return html`<svg class="chart" width="100%" height="${height}" role="img" aria-labelledby="${input.id}-title ${input.id}-desc" font-family="${FONT}">
<title id="${input.id}-title">${input.title}</title>
<desc id="${input.id}-desc">${input.description}</desc>
${input.bars.map((bar, i) => {
  const top = i * rowHeight;
  const width = (bar.value / max) * 70;
  return html`<g>
<text x="0" y="${top + 16}" font-size="15" fill="${TEXT}">${bar.label}</text>
<rect x="0" y="${top + 24}" width="${pct(Math.max(width, 0.4))}" height="20" rx="3" fill="${FILLS.blue}"/>
<text x="${pct(Math.max(width, 0.4))}" dx="6" y="${top + 39}" font-size="15" font-weight="600" fill="${TEXT}">${bar.value}${bar.note ? ` (${bar.note})` : ''}</text>
</g>`;
})}
</svg>`;
}

/**
 * Vertical bars by day, one group a day with a bar for each series, over a grid with its values
 * written above each line; the last day and every seventh before it are named below.
 */
export function dailyChart(input: {
  id: string;
  title: string;
  description: string;
  days: string[];
  series: Series[];
  /** How an axis value is written (the seconds of a median time, say). */
  format?: (value: number) => string;
  seconds?: boolean;
}): Html {
  const top = 22;
  const plot = 150;
  const height = top + plot + 30;
  const days = input.days.length;
  const values = input.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = input.seconds ? niceSeconds(Math.max(1, ...values)) : niceMax(Math.max(1, ...values));
  const format = input.format ?? ((v: number) => String(v));
  const y = (v: number) => top + plot - (v / max) * plot;
  const slot = 100 / days;
  const barWidth = (slot * 0.8) / input.series.length;
  const grid = [0, max / 2, max];
  // Every seventh day back from the last, so the last (today) is named and no two labels meet.
  const named = input.days.map((_, i) => i).filter((i) => (days - 1 - i) % 7 === 0);
  return html`<svg class="chart" width="100%" height="${height}" role="img" aria-labelledby="${input.id}-title ${input.id}-desc" font-family="${FONT}">
<title id="${input.id}-title">${input.title}</title>
<desc id="${input.id}-desc">${input.description}</desc>
${input.series.some((s) => s.fill === 'stripes') ? stripes(input.id) : ''}
${grid.map(
  (v) => html`<line x1="0" x2="100%" y1="${y(v)}" y2="${y(v)}" stroke="${GRID}" stroke-width="1"/>
<text x="0" y="${y(v) - 4}" font-size="13" fill="${TEXT}">${format(v)}</text>`,
)}
${input.series.map((s, n) =>
  s.values.map((v, i) =>
    v === null || v === 0
      ? ''
      : html`<rect x="${pct(i * slot + slot * 0.1 + n * barWidth)}" y="${y(v)}" width="${pct(barWidth)}" height="${Math.max(1, top + plot - y(v))}" fill="${fillOf(input.id, s.fill)}"/>`,
  ),
)}
${named.map((i, n) => {
  const anchor = i === days - 1 ? 'end' : n === 0 ? 'start' : 'middle';
  const x = anchor === 'end' ? 100 : anchor === 'start' ? i * slot : (i + 0.5) * slot;
  return html`<text x="${pct(x)}" y="${top + plot + 20}" font-size="13" fill="${TEXT}" text-anchor="${anchor}">${dayLabel(input.days[i]!)}</text>`;
})}
</svg>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2025-05-12` as `12 May`. */
export function dayLabel(day: string): string {
  const [, month, date] = day.split('-');
  return `${Number(date)} ${MONTHS[Number(month) - 1] ?? ''}`;
}
