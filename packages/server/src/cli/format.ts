/** A duration for a person: `42s`, `3m 20s`, `5h 4m`, `2d 3h`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** A share 0..1 as a whole percentage. */
export function share(value: number): string {
  return `${Math.round(value * 100)}%`;
}
