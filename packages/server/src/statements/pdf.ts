import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type PDFKit from 'pdfkit';
import type { Transaction } from '../accounts/model.ts';

const require = createRequire(import.meta.url);

/**
 * PDFKit, loaded on first use (a server that never builds a statement never loads it), and
 * DejaVu Sans from the `dejavu-fonts-ttf` package: PDFKit's standard fonts are WinAnsi and have
 * no ₦ (U+20A6), nor the Yoruba and Igbo letters of many Nigerian names (Ọ, ẹ́, ṣ). PDFKit
 * embeds only the glyphs a document uses (docs/benchmarks.md, "Statements").
 */
let loaded: { PDFDocument: typeof PDFKit; regular: Buffer; bold: Buffer } | undefined;
function pdfkit() {
  return (loaded ??= {
    PDFDocument: require('pdfkit') as typeof PDFKit,
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  });
}

/** Everything a statement says besides its transactions. Amounts in kobo (the currency's minor unit); times in epoch ms. */
export interface StatementHeading {
  bank: string;
  holder: string;
  accountNumber: string;
  accountType: string;
  currency: string;
  period: string;
  start: number;
  end: number;
  generatedAt: number;
  reference: string;
  count: number;
  openingBalance: number | null;
  closingBalance: number | null;
  totalCredit: number;
  totalDebit: number;
}

export interface BuiltPdf {
  content: Buffer;
  pages: number;
}

/**
 * Asked between pages: `false` stops the build (the builder is stopping or lost its hold on the
 * job), and the build throws `BuildStopped`.
 */
export type Checkpoint = () => Promise<boolean>;

export class BuildStopped extends Error {
  constructor() {
    super('statement build stopped');
    this.name = 'BuildStopped';
  }
}

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 40;
const ROW = 13;
const TEXT = 8;
/** Date, description, debit, credit, balance: the content width (515 pt) shared out. */
const COLUMNS = [
  { x: MARGIN, width: 70 },
  { x: MARGIN + 70, width: 205 },
  { x: MARGIN + 275, width: 80 },
  { x: MARGIN + 355, width: 80 },
  { x: MARGIN + 435, width: 80 },
] as const;
const FIRST_TABLE_TOP = 262;
const NEXT_TABLE_TOP = 86;
const TABLE_BOTTOM = PAGE.height - 52;
const rowsFrom = (top: number) => Math.floor((TABLE_BOTTOM - (top + ROW + 4)) / ROW);
const FIRST_PAGE_ROWS = rowsFrom(FIRST_TABLE_TOP);
const NEXT_PAGE_ROWS = rowsFrom(NEXT_TABLE_TOP);

/** Pages for `rows` table rows (the transactions, the opening balance and the totals). */
export function pageCount(rows: number): number {
  return rows <= FIRST_PAGE_ROWS ? 1 : 1 + Math.ceil((rows - FIRST_PAGE_ROWS) / NEXT_PAGE_ROWS);
}

const SYMBOLS: Record<string, string> = { NGN: '₦', GHS: 'GH₵', KES: 'KSh ', ZAR: 'R ', USD: '$', GBP: '£', EUR: '€' };
const NUMBER = new Intl.NumberFormat('en-NG', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Africa/Lagos', day: '2-digit', month: 'short', year: 'numeric' });
const MINUTE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Africa/Lagos',
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** `₦1,234.56` for 123456 kobo; `-₦…` when negative. */
export function money(minor: number, currency: string): string {
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  return `${minor < 0 ? '-' : ''}${symbol}${NUMBER.format(Math.abs(minor) / 100)}`;
}

/** A transaction's date as the statement prints it: its day in Lagos (WAT, UTC+1). */
export function day(ms: number): string {
  return DAY.format(ms);
}

/**
 * A bank statement as a PDF: the bank, the account holder and number, the period, opening and
 * closing balances and totals, then every transaction in date order with the balance after it,
 * and `Page n of m` on every page. `rows` yields the transactions oldest first, a page of the
 * database at a time; after each page of the PDF the build yields to the event loop (and asks
 * `checkpoint`), so a 10,000-transaction statement never holds the loop for long
 * (docs/benchmarks.md, "Statements").
 */
export async function buildStatementPdf(heading: StatementHeading, rows: AsyncIterable<Transaction[]>, checkpoint: Checkpoint): Promise<BuiltPdf> {
  const { PDFDocument, regular, bold } = pdfkit();
  const doc = new PDFDocument({
    size: 'A4',
    // The footer is drawn below the table, in what would be the bottom margin: with the usual
    // margin there PDFKit would move it to a page of its own.
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 10 },
    autoFirstPage: false,
    compress: true,
    info: { Title: `${heading.bank} statement ${heading.accountNumber}`, Author: heading.bank, Subject: heading.period, Creator: 'Relink' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);

  const total = pageCount(heading.count + 2);
  const m = (minor: number | null) => (minor === null ? '—' : money(minor, heading.currency));
  let page = 0;
  let y = 0;
  let left = 0;
  let shade = false;

  const cell = (text: string, column: number, font: 'regular' | 'bold' = 'regular', align: 'left' | 'right' = 'left') => {
    const { x, width } = COLUMNS[column]!;
    doc.font(font).fontSize(TEXT);
    doc.text(fit(doc, text, width - 6), x + 3, y + 3, { width: width - 6, align, lineBreak: false });
  };
  const tableHeader = () => {
    doc.rect(MARGIN, y, PAGE.width - 2 * MARGIN, ROW + 4).fill('#1f3b57');
    doc.fillColor('#ffffff');
    y += 2;
    ['Date', 'Description', 'Debit', 'Credit', 'Balance'].forEach((label, i) => cell(label, i, 'bold', i >= 2 ? 'right' : 'left'));
    doc.fillColor('#000000');
    y += ROW + 2;
  };
  const footer = () => {
    doc.font('regular').fontSize(7).fillColor('#555555');
    doc.text(
      `${heading.bank} · ${heading.accountNumber} · ${heading.reference} · generated ${MINUTE.format(heading.generatedAt)} WAT by Relink`,
      MARGIN,
      PAGE.height - 34,
      {
        lineBreak: false,
      },
    );
    doc.text(`Page ${page} of ${total}`, PAGE.width - MARGIN - 100, PAGE.height - 34, { width: 100, align: 'right', lineBreak: false });
    doc.fillColor('#000000');
  };
  const newPage = () => {
    doc.addPage();
    page++;
    if (page === 1) {
      firstPageHeading(doc, heading, m);
      y = FIRST_TABLE_TOP;
      left = FIRST_PAGE_ROWS;
    } else {
      doc.font('bold').fontSize(9).text(heading.bank, MARGIN, MARGIN, { lineBreak: false });
      doc
        .font('regular')
        .fontSize(8)
        .text(`${heading.holder} · ${heading.accountNumber} · ${day(heading.start)} – ${day(heading.end)}`, MARGIN, MARGIN + 14, { lineBreak: false });
      y = NEXT_TABLE_TOP;
      left = NEXT_PAGE_ROWS;
    }
    tableHeader();
    footer();
    shade = false;
  };
  const row = (cells: [string, string, string, string, string], font: 'regular' | 'bold' = 'regular') => {
    if (left === 0) newPage();
    if (shade)
      doc
        .rect(MARGIN, y, PAGE.width - 2 * MARGIN, ROW)
        .fill('#eef2f6')
        .fillColor('#000000');
    shade = !shade;
    cells.forEach((text, i) => cell(text, i, font, i >= 2 ? 'right' : 'left'));
    y += ROW;
    left--;
  };
  const pause = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!(await checkpoint())) throw new BuildStopped();
  };

  newPage();
  row([day(heading.start), 'Opening balance', '', '', m(heading.openingBalance)], 'bold');
  for await (const batch of rows) {
    for (const t of batch) {
      const amount = money(t.amount, heading.currency);
      row([day(t.date), t.narration, t.type === 'debit' ? amount : '', t.type === 'credit' ? amount : '', money(t.balance, heading.currency)]);
      if (left === 0) await pause();
    }
  }
  row([day(heading.end), 'Totals and closing balance', m(heading.totalDebit), m(heading.totalCredit), m(heading.closingBalance)], 'bold');
  doc.end();
  await ended;
  return { content: Buffer.concat(chunks), pages: page };
}

function firstPageHeading(doc: PDFKit.PDFDocument, h: StatementHeading, m: (minor: number | null) => string) {
  const right = PAGE.width - MARGIN;
  doc.font('bold').fontSize(18).text(h.bank, MARGIN, MARGIN, { width: 330, lineBreak: false });
  doc
    .font('bold')
    .fontSize(11)
    .text('STATEMENT OF ACCOUNT', right - 200, MARGIN + 4, { width: 200, align: 'right', lineBreak: false });
  doc
    .moveTo(MARGIN, MARGIN + 30)
    .lineTo(right, MARGIN + 30)
    .lineWidth(1)
    .stroke('#1f3b57');

  const field = (label: string, value: string, x: number, top: number, width: number) => {
    doc.font('regular').fontSize(7).fillColor('#555555').text(label.toUpperCase(), x, top, { width, lineBreak: false });
    doc
      .font('bold')
      .fontSize(10)
      .fillColor('#000000')
      .text(fit(doc, value, width), x, top + 9, { width, lineBreak: false });
  };
  const top = MARGIN + 42;
  field('Account holder', h.holder, MARGIN, top, 260);
  field('Account number', h.accountNumber, MARGIN, top + 30, 260);
  field('Account type', `${h.accountType} · ${h.currency}`, MARGIN, top + 60, 260);
  field('Period', `${day(h.start)} – ${day(h.end)}`, MARGIN + 290, top, 225);
  field('Generated', `${MINUTE.format(h.generatedAt)} WAT`, MARGIN + 290, top + 30, 225);
  field('Reference', h.reference, MARGIN + 290, top + 60, 225);

  const boxTop = top + 96;
  const boxWidth = (right - MARGIN - 18) / 4;
  const boxes: [string, string][] = [
    ['Opening balance', m(h.openingBalance)],
    ['Total credits', m(h.totalCredit)],
    ['Total debits', m(h.totalDebit)],
    ['Closing balance', m(h.closingBalance)],
  ];
  boxes.forEach(([label, value], i) => {
    const x = MARGIN + i * (boxWidth + 6);
    doc.rect(x, boxTop, boxWidth, 40).lineWidth(0.5).stroke('#9aa9b8');
    doc
      .font('regular')
      .fontSize(7)
      .fillColor('#555555')
      .text(label.toUpperCase(), x + 6, boxTop + 7, { width: boxWidth - 12, lineBreak: false });
    doc
      .font('bold')
      .fontSize(10)
      .fillColor('#000000')
      .text(fit(doc, value, boxWidth - 12), x + 6, boxTop + 20, { width: boxWidth - 12, lineBreak: false });
  });
  doc
    .font('regular')
    .fontSize(7)
    .fillColor('#555555')
    .text(`${h.count} transaction${h.count === 1 ? '' : 's'}. Dates are in West Africa Time (WAT, UTC+1).`, MARGIN, boxTop + 46, { lineBreak: false });
  doc.fillColor('#000000');
}

/** `text` cut to `width` at the current font and size, with an ellipsis when cut. */
function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (doc.widthOfString(`${text.slice(0, mid)}…`) <= width) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low).trimEnd()}…`;
}
