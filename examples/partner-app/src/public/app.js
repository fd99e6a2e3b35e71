// Kudi Lend's only script: opens Relink Connect (link, or reconnect in reauth mode), hands the
// widget's one-time code to the server, and refreshes the account panel when the server
// pushes a change (a webhook from Relink arrived) over Server-Sent Events.
(() => {
  const status = document.getElementById('status');
  const say = (text, kind) => {
    if (!status) return;
    status.textContent = text;
    status.className = `flash ${kind}`;
    status.hidden = false;
  };

  // Only the latest of overlapping refreshes is shown, so an older answer never replaces a newer one.
  let latest = 0;
  async function refresh() {
    if (!document.getElementById('panel')) return;
    const mine = ++latest;
    const response = await fetch('/panel', { headers: { accept: 'text/html' }, cache: 'no-store' });
    if (!response.ok) return;
    const text = await response.text();
    const current = document.getElementById('panel');
    if (mine !== latest || !current) return;
    const template = document.createElement('template');
    template.innerHTML = text;
    const next = template.content.firstElementChild;
    if (!next) return;
    const keepOpen = current.querySelector('#sandbox')?.open;
    current.replaceWith(next);
    if (keepOpen && next.querySelector('#sandbox')) next.querySelector('#sandbox').open = true;
    schedulePending();
  }

  // Right after a link Relink is still fetching the data: look again shortly until it is there.
  let pendingTimer;
  function schedulePending() {
    clearTimeout(pendingTimer);
    if (document.getElementById('panel')?.dataset.pending === 'true') pendingTimer = setTimeout(refresh, 1500);
  }

  async function sendCode(path, code) {
    say('Saving…', 'info');
    try {
      const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
      const body = await response.json().catch(() => ({}));
      say(body.message || (response.ok ? 'Done.' : 'Something went wrong. Please try again.'), response.ok ? 'ok' : 'error');
    } catch {
      say('We could not reach Kudi Lend. Check your connection and try again.', 'error');
    }
    await refresh();
    status?.focus();
  }

  // A reconnect opens the widget with a reauth token the server made for this user's own account
  // (connect.js's `reauth_token`), so the page never needs the bank account's Relink id.
  async function reauthToken() {
    try {
      const response = await fetch('/reconnect/token', { method: 'POST', headers: { accept: 'application/json' }, cache: 'no-store' });
      const body = await response.json().catch(() => ({}));
      if (response.ok && body.token) return body.token;
      say(body.message || 'Something went wrong. Please try again.', 'error');
    } catch {
      say('We could not reach Kudi Lend. Check your connection and try again.', 'error');
    }
    return undefined;
  }

  let fetchingToken = false;
  async function openWidget(mode) {
    const panel = document.getElementById('panel');
    if (!panel) return;
    if (typeof window.Connect !== 'function') {
      say('The bank connection service is not reachable right now. Please try again in a minute.', 'error');
      return;
    }
    const { key, customerName, customerEmail } = panel.dataset;
    const connect = new window.Connect({
      key,
      data: { customer: { name: customerName, email: customerEmail } },
      onSuccess: ({ code }) => sendCode(mode === 'reauth' ? '/reconnect/code' : '/link/code', code),
    });
    if (mode === 'reauth') {
      if (fetchingToken) return;
      fetchingToken = true;
      const token = await reauthToken().finally(() => (fetchingToken = false));
      if (!token) return;
      connect.setup({ reauth_token: token });
    } else connect.setup();
    connect.open();
  }

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-widget]') : null;
    if (!button) return;
    event.preventDefault();
    void openWidget(button.getAttribute('data-widget'));
  });

  if (document.getElementById('panel')) {
    if (status) status.tabIndex = -1;
    const events = new EventSource('/events');
    // A change pushed between this page's render and the stream opening would be missed: the
    // stream's first message says how many changes there were; a panel behind that refreshes.
    events.addEventListener('hello', (event) => {
      if (String(JSON.parse(event.data).version) !== document.getElementById('panel')?.dataset.version) void refresh();
    });
    events.addEventListener('change', (event) => {
      // A new problem makes an earlier "linked" or "reconnected" message out of date.
      if (JSON.parse(event.data).what === 'mono.events.reauthorisation_required' && status) status.hidden = true;
      void refresh();
    });
    schedulePending();
  }
})();
