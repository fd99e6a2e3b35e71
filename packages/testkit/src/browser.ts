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

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

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
  await frame.waitForSelector(selector);
}

/** Types into the form's fields by name and submits with Enter, as a keyboard user would. */
export async function fillAndEnter(frame: Frame, fields: Record<string, string>) {
  const names = Object.keys(fields);
  for (const name of names) await frame.fill(`input[name="${name}"]`, fields[name]!);
  await frame.press(`input[name="${names[names.length - 1]}"]`, 'Enter');
}
