/// <reference lib="dom" />
/**
 * Relink Connect: connect.js's API for a Relink server. Opens the widget in an iframe over the
 * page; its code comes back through `onSuccess`, for the partner's server to exchange with the
 * secret key. Messages are accepted only from the widget's own frame and origin.
 */
export interface ConnectOptions {
  /** The app's public key (`test_pk_…` / `live_pk_…`). Never the secret key. */
  key: string;
  onSuccess: (data: { code: string }) => void;
  onClose?: () => void;
  onLoad?: () => void;
  onEvent?: (type: ConnectEventType, data: Record<string, unknown>) => void;
  scope?: 'auth' | 'reauth';
  data?: { customer?: { id: string } | { name: string; email: string }; account?: string };
  reference?: string;
  selectedInstitution?: { id: string; auth_method: string };
  /** The Relink server, e.g. `https://relink.example.com`. Defaults to where connect.js was loaded from. */
  baseUrl?: string;
}

export type ConnectEventType =
  | 'LOADED'
  | 'OPENED'
  | 'INSTITUTION_SELECTED'
  | 'AUTH_METHOD_SWITCHED'
  | 'SUBMIT_CREDENTIALS'
  | 'SUBMIT_MFA'
  | 'ACCOUNT_SELECTED'
  | 'ACCOUNT_LINKED'
  | 'ERROR'
  | 'EXIT'
  | 'SUCCESS';

/** connect.js's message types and the onEvent names they become (Mono's mapping). */
const EVENT_NAMES: Record<string, ConnectEventType> = {
  'mono.connect.widget_opened': 'OPENED',
  'mono.connect.error_occured': 'ERROR',
  'mono.connect.institution_selected': 'INSTITUTION_SELECTED',
  'mono.connect.auth_method_switched': 'AUTH_METHOD_SWITCHED',
  'mono.connect.on_exit': 'EXIT',
  'mono.connect.login_attempt': 'SUBMIT_CREDENTIALS',
  'mono.connect.mfa_submitted': 'SUBMIT_MFA',
  'mono.connect.account_linked': 'ACCOUNT_LINKED',
  'mono.connect.account_selected': 'ACCOUNT_SELECTED',
};

export const WIDGET_VERSION = '2023-12-14';
const CONTAINER_ID = 'mono-connect--widget-div';
const FRAME_ID = 'mono-connect--frame-id';

let scriptOrigin: string | undefined;
/** Called by the browser build: the origin connect.js was served from is the default server. */
export function rememberScriptOrigin(origin: string | undefined) {
  scriptOrigin = origin;
}

export class Connect {
  private readonly options: ConnectOptions;
  private readonly config: Record<string, unknown>;
  private frame: HTMLIFrameElement | null = null;
  private container: HTMLDivElement | null = null;
  private isOpen = false;
  private openedPending = false;
  private readonly listener = (event: MessageEvent) => this.receive(event);

  constructor(options: ConnectOptions) {
    if (!options || !options.key) throw new Error('PUBLIC_KEY is required');
    if (typeof options.onSuccess !== 'function') throw new Error('onSuccess callback is required');
    if (/^(test|live)_sk_/.test(options.key)) throw new Error('Connect takes the app public key; never put a secret key in a web page');
    this.options = options;
    const { key: _key, onSuccess: _s, onClose: _c, onLoad: _l, onEvent: _e, baseUrl: _b, ...config } = options;
    this.config = config;
  }

  /** The server's origin: the `baseUrl` option, or where connect.js was loaded from. */
  get origin(): string {
    const base = this.options.baseUrl ?? scriptOrigin;
    if (!base) throw new Error('baseUrl is required when connect.js is not loaded from a Relink server');
    return new URL(base).origin;
  }

  /** Loads the widget (hidden) with the constructor's options plus `extra`. */
  setup(extra: Record<string, unknown> = {}): void {
    this.load({ ...this.config, ...extra });
  }

  /** Loads the widget on re-authorisation of `accountId` (connect.js 2.x: `data.account`). */
  reauthorise(accountId: string): void {
    if (!accountId) throw new Error('Account ID is required for re-authorisation');
    if (typeof accountId !== 'string') throw new Error('Invalid accountId: must be a string');
    const data = (this.config.data as Record<string, unknown> | undefined) ?? {};
    this.load({ ...this.config, scope: 'reauth', data: { ...data, account: accountId } });
  }

  open(): void {
    if (!this.frame) this.setup();
    this.isOpen = true;
    this.container!.style.display = 'flex';
    this.frame!.style.visibility = 'visible';
    this.frame!.focus();
    if (this.openedPending) {
      this.openedPending = false;
      this.event('OPENED', { timestamp: Date.now() });
    }
  }

  close(): void {
    const wasOpen = this.isOpen;
    this.isOpen = false;
    window.removeEventListener('message', this.listener);
    this.container?.remove();
    this.container = null;
    this.frame = null;
    if (wasOpen) this.options.onClose?.();
  }

  private load(query: Record<string, unknown>): void {
    this.close();
    const url = new URL('/connect', this.origin);
    url.searchParams.set('key', this.options.key);
    url.searchParams.set('referrer', window.location.href);
    url.searchParams.set('version', WIDGET_VERSION);
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    const container = document.createElement('div');
    container.id = CONTAINER_ID;
    container.setAttribute(
      'style',
      'position:fixed;inset:0;z-index:2147483000;display:none;align-items:center;justify-content:center;background:rgba(0,0,0,0.4)',
    );
    const frame = document.createElement('iframe');
    frame.id = FRAME_ID;
    frame.title = 'Relink Connect';
    frame.src = url.toString();
    frame.setAttribute('style', 'position:fixed;inset:0;width:100%;height:100%;border:0;visibility:hidden');
    frame.setAttribute('allow', 'clipboard-write');
    frame.onload = () => {
      this.options.onLoad?.();
      this.event('LOADED', { timestamp: Date.now() });
    };
    container.appendChild(frame);
    document.body.insertBefore(container, document.body.firstChild);
    this.container = container;
    this.frame = frame;
    window.addEventListener('message', this.listener);
  }

  private receive(event: MessageEvent): void {
    if (!this.frame || event.source !== this.frame.contentWindow || event.origin !== this.origin) return;
    const message = event.data as { type?: unknown; data?: Record<string, unknown> } | null;
    if (!message || typeof message.type !== 'string') return;
    const data = message.data ?? {};
    if (message.type === 'mono.connect.widget.account_linked') {
      this.options.onSuccess({ ...(data as { code: string }) });
      this.event('SUCCESS', data);
      this.close();
    } else if (message.type === 'mono.connect.widget.closed') {
      this.close();
    } else if (message.type === 'mono.connect.widget_opened' && !this.isOpen) {
      this.openedPending = true;
    } else if (EVENT_NAMES[message.type]) {
      this.event(EVENT_NAMES[message.type]!, data);
    }
  }

  private event(type: ConnectEventType, data: Record<string, unknown>) {
    this.options.onEvent?.(type, data);
  }
}

export default Connect;
