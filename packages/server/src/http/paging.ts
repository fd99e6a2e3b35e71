/** Mono's paging block for `page` of `total` items, `limit` a page; `link` names a page. */
export function paging(total: number, page: number, limit: number, link: (page: number) => string) {
  return { total, page, previous: page > 1 ? link(page - 1) : null, next: page * limit < total ? link(page + 1) : null };
}

/** A link to `page` of `path`, keeping the list's other query parameters. */
export function pathLink(path: string, query: Record<string, string | number | boolean | undefined>, limit: number) {
  return (page: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...query, page, limit })) if (value !== undefined) params.set(key, String(value));
    return `${path}?${params}`;
  };
}
