/// <reference lib="dom" />
import type { WidgetConfig } from './config.ts';

/** connect.js's message types (Mono's names, including its spelling of `error_occured`). */
export type WidgetEvent =
  | 'mono.connect.widget_opened'
  | 'mono.connect.institution_selected'
  | 'mono.connect.login_attempt'
  | 'mono.connect.mfa_submitted'
  | 'mono.connect.account_selected'
  | 'mono.connect.account_linked'
  | 'mono.connect.error_occured'
  | 'mono.connect.on_exit'
  | 'mono.connect.widget.account_linked'
  | 'mono.connect.widget.closed';

export interface EventData {
  pageName?: string;
  institution?: { id: string; name: string };
  authMethod?: string;
  mfaType?: string;
  errorType?: string;
  errorMessage?: string;
  selectedAccountsCount?: number;
  code?: string;
}

/**
 * Posts `{type, data}` to the page that framed the widget, addressed to the referrer's origin
 * only: a page of another origin (a frame swapped in, a hostile opener) receives nothing.
 */
export function emitter(config: WidgetConfig) {
  const parent = window.parent !== window ? window.parent : null;
  return (type: WidgetEvent, data: EventData = {}) => {
    if (!parent || !config.parentOrigin) return;
    const payload = type === 'mono.connect.widget.account_linked' ? data : { reference: config.reference, ...data, timestamp: Date.now() };
    parent.postMessage({ type, data: payload }, config.parentOrigin);
  };
}
