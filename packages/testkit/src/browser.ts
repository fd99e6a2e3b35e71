/**
 * The browser tier: Debian's Chromium driven by playwright-core (never a downloaded browser),
 * and the widget inside a partner's page, as a person sees and types into it.
 */
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const CHROMIUM = process.env.RELINK_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A Chromium for this test process. Suites share one (a launch costs a second or two of CPU in
 * a dozen processes, and each file runs its suites once per database): `close()` hands this
 * suite's use back, and the browser itself closes a moment after the last suite has, so a file's
 * next suite reuses it and the process still ends. Pages are the suites' own, each in a context
 * of its own (`newPage`), so no cookie or storage crosses from one suite to the next.
 */
export async function launchBrowser(): Promise<Browser> {
  clearTimeout(shared.closing);
  shared.browser ??= chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  const browser = await shared.browser;
  shared.users++;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    if (--shared.users > 0) return;
    shared.closing = setTimeout(() => {
      const closing = shared.browser;
      shared.browser = undefined;
      void closing?.then((b) => b.close());
    }, LINGER_MS);
  };
  return new Proxy(browser, {
    get(target, property) {
      if (property === 'close') return release;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** How long the shared browser waits for the file's next suite before it closes. */
const LINGER_MS = 500;
const shared: { browser: Promise<Browser> | undefined; users: number; closing: NodeJS.Timeout | undefined } = {
  browser: undefined,
  users: 0,
  closing: undefined,
};

/** The widget's frame inside the partner page, once its first screen is up. */
export async function widgetFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('#mono-connect--frame-id');
  const frame = (await handle.contentFrame())!;
  await frame.waitForSelector('[data-screen]:not([data-screen="busy"])');
  return frame;
}

/** Waits until the widget shows `screen` (and, for errors, the error kind). */
export async function onScreen(frame: Frame, screen: string, error?: string) {
  const selector = `[data-screen="${screen}"]${error ? `[data-error="${error}"]` : ''}`;
  try {
    await frame.waitForSelector(selector);
  } catch (failure) {
    // Which screen the widget shows instead, so a failure says what happened.
    const shown = await frame
      .evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('[data-screen]'))
          .filter((el) => el.offsetParent !== null)
          .map((el) => `${el.dataset.screen}${el.dataset.error ? ` (${el.dataset.error})` : ''}: ${el.innerText.slice(0, 200)}`)
          .join(' | '),
      )
      .catch(() => 'unknown');
    throw new Error(`the widget did not show ${selector}; it shows ${shown}`, { cause: failure });
  }
}

/** Types into the form's fields by name and submits with Enter, as a keyboard user would. */
export async function fillAndEnter(frame: Frame, fields: Record<string, string>) {
  const names = Object.keys(fields);
  for (const name of names) await frame.fill(`input[name="${name}"]`, fields[name]!);
  await frame.press(`input[name="${names[names.length - 1]}"]`, 'Enter');
}
