/**
 * Statements as a partner reads them: a PDF job polled until it is built, the file downloaded
 * and opened with a real PDF parser (pdfjs-dist, Mozilla's), its text as lines, and the rows a
 * statement of given transactions must print.
 */
import assert from 'node:assert/strict';
import { call } from '@relink/testkit';
import { waitFor } from '@relink/testkit/wait';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Polls a job (v1 route) until it is no longer BUILDING; answers its last view. */
export async function pollJob(base: string, key: string, accountId: string, jobId: string, timeoutMs = 60_000) {
  let job: { id: string; status: string; path: string | null; expires_at: string } | undefined;
  await waitFor(
    async () => {
      const res = await call(base, 'GET', `/accounts/${accountId}/statement/jobs/${jobId}`, { key });
      assert.equal(res.status, 200, res.text);
      job = res.body;
      return job!.status !== 'BUILDING';
    },
    timeoutMs,
    `statement job ${jobId} to be built`,
  );
  return job!;
}

/** GETs a file URL as a browser would (no key unless given); answers the status, headers and bytes. */
export async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** The PDF's text, a page at a time, each page as its lines top to bottom (a line's pieces joined by one space, left to right). */
export async function pdfLines(bytes: Uint8Array): Promise<string[][]> {
  const pdf = await getDocument({ data: bytes.slice(), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
  const pages: string[][] = [];
  try {
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      const byY = new Map<number, { x: number; text: string }[]>();
      for (const item of content.items) {
        if (!('str' in item) || item.str.trim() === '') continue;
        const y = Math.round(item.transform[5]);
        byY.set(y, [...(byY.get(y) ?? []), { x: item.transform[4], text: item.str.trim() }]);
      }
      pages.push(
        [...byY.entries()]
          .sort(([a], [b]) => b - a)
          .map(([, pieces]) =>
            pieces
              .sort((a, b) => a.x - b.x)
              .map((p) => p.text)
              .join(' '),
          ),
      );
    }
  } finally {
    await pdf.destroy();
  }
  return pages;
}

const NUMBER = new Intl.NumberFormat('en-NG', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Africa/Lagos', day: '2-digit', month: 'short', year: 'numeric' });

/** Kobo as the statement prints naira: `₦1,234.56`. */
export const naira = (kobo: number) => `${kobo < 0 ? '-' : ''}₦${NUMBER.format(Math.abs(kobo) / 100)}`;
/** An ISO time as the statement prints its day, in Lagos. */
export const lagosDay = (iso: string | number) => DAY.format(new Date(iso));

/** The line a transaction of the JSON statement (v1 shape) must be in the PDF. */
export function rowOf(t: { type: string; amount: number; narration: string; date: string; balance: number }): string {
  return [lagosDay(t.date), t.narration, naira(t.amount), naira(t.balance)].join(' ');
}
