/**
 * What the server tells the widget page about itself (embedded in the page as JSON): the app,
 * the query string connect.js sent, and the institutions to offer. Shared by the server that
 * renders it and the browser code that reads it.
 */
export interface WidgetConfig {
  /** The app's public key: every widget API call carries it. */
  key: string;
  appName: string;
  /** `embedded`: in connect.js's iframe, talking to the parent by postMessage. `hosted`: a hosted link's page. */
  mode: 'embedded' | 'hosted';
  /** The origin postMessage targets (the referrer's); null: post nothing. Never `*`. */
  parentOrigin: string | null;
  scope: 'auth' | 'reauth';
  reference: string | null;
  customer: { id: string } | { name: string; email: string } | null;
  /** The account to re-authorise (`data.account`), if any. */
  account: string | null;
  /** connect.js 1.x's re-authorisation token (`reauth_token`), if any. */
  reauthToken: string | null;
  /** A hosted link id: its customer, reference and redirect apply. */
  link: string | null;
  /** Hosted links: where the user goes when they close the page. */
  cancelUrl: string | null;
  selectedInstitution: { id: string; authMethod: string } | null;
  institutions: WidgetInstitution[];
  /** A problem found before anything started (bad key, origin not allowed, used link): show it and stop. */
  problem: { title: string; message: string } | null;
  sandbox: boolean;
  /** Test mode: the sandbox users whose password a reset-login changed, per bank; `password` null when it cannot be named. */
  sandboxPasswords: SandboxPassword[];
}

export interface SandboxPassword {
  institution: string;
  username: string;
  password: string | null;
}

export interface WidgetInstitution {
  id: string;
  name: string;
  type: string;
  primaryColor: string;
  authMethods: { type: string; name: string }[];
}

export interface FormField {
  type: string;
  name: string;
  hint?: string;
  contentType?: string;
  maxLength?: number;
  value?: string;
  options?: { label: string; value: number | string }[];
}

export interface FormUi {
  title: string;
  form: FormField[];
}

export interface BankAccountChoice {
  accountNumber: string;
  name: string;
  type: string;
  currency: string;
  balance: number;
}

export const CONFIG_ELEMENT_ID = 'relink-connect-config';
