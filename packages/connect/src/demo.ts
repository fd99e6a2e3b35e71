/// <reference lib="dom" />
// The /connect/demo page's script: the ten lines a partner writes, plus showing what came back.
import { Connect } from './index.ts';

const root = document.getElementById('demo')!;
const key = root.dataset.key!;
const result = document.getElementById('result')!;
const button = document.getElementById('link') as HTMLButtonElement;

function show(lines: [string, string][], ok: boolean) {
  result.hidden = false;
  result.className = ok ? 'result ok' : 'result';
  result.replaceChildren(
    ...lines.map(([label, value]) => {
      const row = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = label;
      dd.textContent = value;
      row.append(dt, dd);
      return row;
    }),
  );
}

const connect = new Connect({
  key,
  baseUrl: window.location.origin,
  reference: `demo-${Date.now()}`,
  onSuccess: ({ code }) => void exchange(code),
  onClose: () => {
    button.disabled = false;
  },
});

/** The widget's code, exchanged by this page's server route for the account it linked. */
async function exchange(code: string) {
  show(
    [
      ['Code', code],
      ['Account', 'exchanging the code…'],
    ],
    true,
  );
  // The page load's HttpOnly demo cookie goes along (same origin): it is what lets this page, and only it, exchange the code.
  const response = await fetch('/connect/demo/exchange', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  const body = await response.json();
  if (!response.ok)
    return show(
      [
        ['Code', code],
        ['Error', body.message],
      ],
      false,
    );
  const a = body.account;
  show(
    [
      ['Code', code],
      ['Account id', a.id],
      ['Bank', a.institution],
      ['Name', a.name],
      ['Number', a.accountNumber],
      ['Type', a.type],
    ],
    true,
  );
}

button.addEventListener('click', () => {
  button.disabled = true;
  connect.setup();
  connect.open();
});
button.disabled = false;
