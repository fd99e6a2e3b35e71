/// <reference lib="dom" />
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Failure, type ReauthReason, type StepResult, WidgetApi } from './api.ts';
import type { BankAccountChoice, FormUi, WidgetConfig, WidgetInstitution } from './config.ts';
import { emitter, type EventData } from './events.ts';
import { html } from './html.ts';
import { AccountPicker, Busy, FieldsForm, InstitutionPicker, Problem, type ProblemAction, Success } from './screens.ts';

/** A bank form on screen: what it says about why it is asked, the last attempt's error, what stays filled in. */
interface FormScreen {
  ui: FormUi;
  note: string | null;
  lead: string | null;
  error: string | null;
  values: Record<string, string>;
  /** A new form each time (a new key): nothing typed into the last one lingers. */
  key: number;
}

type Screen =
  | { name: 'institutions' }
  | ({ name: 'login' } & FormScreen)
  | ({ name: 'mfa' } & FormScreen)
  | { name: 'accounts'; accounts: BankAccountChoice[] }
  | { name: 'busy'; message: string }
  | { name: 'success'; code: string; redirectUrl: string | null }
  | { name: 'problem'; kind: string; title: string; message: string; actions: ProblemAction[] };

const SANDBOX_NOTE = 'Test mode: log in as user_good, user_otp (OTP 12345) or user_multi, password pass_good.';

/** Test mode: the hint above a bank's login form, with the passwords a reset-login changed at that bank. */
function sandboxNote(config: Pick<WidgetConfig, 'sandbox' | 'sandboxPasswords'>, institution: string | null | undefined): string | null {
  if (!config.sandbox) return null;
  const changed = config.sandboxPasswords.filter((p) => p.institution === institution);
  if (changed.length === 0) return SANDBOX_NOTE;
  const now = changed.map((p) => (p.password ? `${p.username}'s is now ${p.password}` : `${p.username}'s was changed`)).join('; ');
  return `${SANDBOX_NOTE} Changed by a reset-login: ${now} (relink sandbox reset puts pass_good back).`;
}

const PAGE_NAMES: Record<Screen['name'], string> = {
  institutions: 'InstitutionSelector',
  login: 'Login',
  mfa: 'Mfa',
  accounts: 'AccountSelector',
  busy: 'Loading',
  success: 'Success',
  problem: 'Error',
};

let forms = 0;

export function Widget({ config }: { config: WidgetConfig }) {
  const api = useMemo(() => new WidgetApi(config.key), [config.key]);
  const post = useMemo(() => emitter(config), [config]);
  const [screen, setScreen] = useState<Screen>({ name: 'busy', message: 'Loading…' });
  const institution = useRef<{ bank: WidgetInstitution; authMethod: string } | null>(null);
  /** The session this widget started and has not seen end: closing the widget cancels it. */
  const session = useRef<string | null>(null);
  const lastForm = useRef<Extract<Screen, { name: 'login' | 'mfa' | 'accounts' }> | null>(null);
  /** Why this re-authorisation needs the person (the start's `data.reason`). */
  const reason = useRef<ReauthReason | null>(null);
  const main = useRef<HTMLElement>(null);
  const current = useRef(screen);
  current.current = screen;

  /** A re-authorisation (connect.js `reauthorise`, `reauth_token`, a hosted reauth link), not a new link. */
  const reconnecting = !!(config.account || config.reauthToken || (config.link && config.scope === 'reauth'));
  const app = config.appName;
  // A re-authorisation's bank is not in the widget's configuration: "your bank" then.
  const bankName = () => institution.current?.bank.name ?? null;
  const bank = () => bankName() ?? 'your bank';
  const Bank = () => bankName() ?? 'Your bank';

  const eventData = (extra: EventData = {}): EventData => {
    const chosen = institution.current;
    // While a step runs (the spinner), events belong to the form it came from.
    const on = current.current.name === 'busy' && lastForm.current ? lastForm.current.name : current.current.name;
    return {
      pageName: PAGE_NAMES[on],
      ...(chosen ? { institution: { id: chosen.bank.id, name: chosen.bank.name }, authMethod: chosen.authMethod } : {}),
      ...extra,
    };
  };

  /** Ends the session this widget started, if it may still be live; the account of a re-authorisation is free at once. */
  const endSession = (): Promise<void> => {
    const id = session.current;
    session.current = null;
    return id ? api.cancel(id) : Promise.resolve();
  };

  const close = () => {
    void endSession();
    post('mono.connect.on_exit', eventData());
    post('mono.connect.widget.closed', eventData());
    if (config.mode === 'hosted' && config.cancelUrl) window.location.assign(config.cancelUrl);
  };
  const closeRef = useRef(close);
  closeRef.current = close;

  const problem = (kind: string, title: string, message: string, actions: ProblemAction[]) => {
    post('mono.connect.error_occured', eventData({ errorType: kind, errorMessage: message }));
    setScreen({ name: 'problem', kind, title, message, actions });
  };

  /** The error of the last attempt, on the form it came from, which stays (a new, empty one but for `values`). */
  const inline = (kind: string, message: string, values: Record<string, string> = {}) => {
    const last = lastForm.current;
    if (!last || last.name === 'accounts') return problem(kind, 'That did not work', message, [again(), exit()]);
    post('mono.connect.error_occured', eventData({ errorType: kind, errorMessage: message, pageName: PAGE_NAMES[last.name] }));
    show({ ...last, error: message, values, key: ++forms });
  };

  /** Starts over: a re-authorisation starts again (never a new link's bank picker); a link goes back to the bank picker. */
  const restart = () => {
    if (reconnecting) return void reauthorise();
    void endSession();
    return institution.current && !config.selectedInstitution ? setScreen({ name: 'institutions' }) : begin();
  };
  const startOver = (): ProblemAction => ({ label: 'Start again', run: restart });
  const again = (): ProblemAction => ({ label: 'Try again', run: restart });
  /** Back to the last form while the session can take it; otherwise start over. */
  const retry = (result: Failure): ProblemAction => ({
    label: 'Try again',
    run: () => {
      const last = lastForm.current;
      if (result.sessionOpen === false || !session.current || !last) return restart();
      show(last.name === 'accounts' ? last : { ...last, error: null, key: ++forms });
    },
  });
  const exit = (): ProblemAction => ({ label: 'Close', run: close });

  const pick = async (chosen: WidgetInstitution, authMethod = chosen.authMethods[0]?.type ?? 'internet_banking') => {
    void endSession();
    institution.current = { bank: chosen, authMethod };
    lastForm.current = null;
    post('mono.connect.institution_selected', eventData({ institution: { id: chosen.id, name: chosen.name }, authMethod, pageName: PAGE_NAMES.institutions }));
    setScreen({ name: 'busy', message: `Connecting to ${chosen.name}…` });
    const started = await api.startSession({
      institution: chosen.id,
      auth_method: authMethod,
      ...(config.customer ? { customer: config.customer } : {}),
      ...(config.reference ? { reference: config.reference } : {}),
      ...(config.link ? { link: config.link } : {}),
    });
    if ('kind' in started) return failure(started);
    session.current = started.id;
    show(form('login', started.ui, sandboxNote(config, chosen.id)));
  };

  const form = (name: 'login' | 'mfa', ui: FormUi, note: string | null = null): Extract<Screen, { name: 'login' | 'mfa' }> => ({
    name,
    ui,
    note,
    lead: leadFor(name, ui),
    error: null,
    values: {},
    key: ++forms,
  });

  /** Why the person is asked, during a re-authorisation: the reason the server gave, in words that claim nothing more. */
  const leadFor = (name: 'login' | 'mfa', ui: FormUi): string | null => {
    if (!reconnecting) return null;
    if (name === 'mfa') {
      return ui.form.some((f) => f.name === 'otp')
        ? `${Bank()} sent you a code to reconnect your account to ${app}.`
        : `${Bank()} asks this to reconnect your account to ${app}.`;
    }
    if (reason.current === 'confirm_login') return `${app} needs you to log in to ${bank()} again to keep your account connected.`;
    if (reason.current === 'credentials_rejected')
      return `${Bank()} no longer accepts the login ${app} saved for this account. Log in with your current details.`;
    return null;
  };

  const show = (next: Extract<Screen, { name: 'login' | 'mfa' | 'accounts' }>) => {
    lastForm.current = next;
    setScreen(next);
  };

  const outcome = (result: StepResult, typed: Record<string, string> = {}) => {
    switch (result.kind) {
      case 'linked':
        session.current = null;
        post('mono.connect.account_linked', eventData({ pageName: PAGE_NAMES.success }));
        return setScreen({ name: 'success', code: result.code, redirectUrl: result.redirectUrl });
      case 'accounts':
        return show({ name: 'accounts', accounts: result.accounts });
      case 'input':
        return show(form('mfa', result.ui));
      case 'failed':
        return failure(result, typed);
    }
  };

  /** What the person reads when a step fails: the widget's own words for each code, never the server's message (it may name ids). */
  const failure = (result: Failure, typed: Record<string, string> = {}) => {
    if (result.sessionOpen === false) session.current = null;
    const last = lastForm.current;
    switch (result.code) {
      case 'BANK_LOGIN_FAILED': {
        if (result.sessionOpen && last?.name === 'login') {
          // What the person typed stays, but never a field shown masked (the password).
          const ui = last.ui;
          const kept = Object.fromEntries(ui.form.filter((f) => f.contentType !== 'password' && typed[f.name]).map((f) => [f.name, typed[f.name]!]));
          return inline('invalid_credentials', `${Bank()} did not accept these login details. Check them and try again.`, kept);
        }
        const times = /(\d+) failed logins/.exec(result.message)?.[1];
        if (times) {
          return problem(
            'too_many_attempts',
            'Too many attempts',
            `${Bank()} did not accept the login details ${times} times, so this attempt has stopped. Start again when you have the right details.`,
            [startOver(), exit()],
          );
        }
        return problem(
          'account_locked',
          'Your bank account is locked',
          `${Bank()} reports that your account is locked. Contact ${bank()} to unlock it, then try again.`,
          [startOver(), exit()],
        );
      }
      case 'OTP_INVALID': {
        const left = /(\d+) (?:try|tries) left/.exec(result.message)?.[1];
        const otp = last?.name === 'mfa' && last.ui.form.some((f) => f.name === 'otp');
        return inline(
          'invalid_answer',
          `${otp ? 'That code was not accepted.' : 'That answer was not accepted.'}${left ? ` ${left} ${left === '1' ? 'try' : 'tries'} left.` : ''}`,
        );
      }
      case 'OTP_ATTEMPTS_EXCEEDED': {
        const times = /(\d+) wrong answers/.exec(result.message)?.[1];
        return problem(
          'too_many_attempts',
          'Too many wrong answers',
          `${Bank()} did not accept the answer${times ? ` ${times} times` : ''}, so this attempt has stopped. Start again to get a new code.`,
          [startOver(), exit()],
        );
      }
      case 'RATE_LIMITED':
        return problem(
          'rate_limited',
          'Attempts paused for your security',
          `There have been too many attempts recently: to keep your bank from locking your account, new attempts are paused. Try again ${later(result.retryAfter)}.`,
          [exit()],
        );
      case 'REAUTH_IN_PROGRESS':
        return problem(
          'reauth_in_progress',
          'Already being reconnected',
          `This account is being reconnected to ${app} in another window or on another device. Finish there, or try again in a few minutes.`,
          [again(), exit()],
        );
      case 'SESSION_CANCELLED':
        return reconnecting
          ? problem(
              'session_cancelled',
              'This reconnection was stopped',
              'A newer reconnection of this account started, so this one stopped. Nothing was changed.',
              [exit()],
            )
          : problem('session_cancelled', 'This attempt was stopped', 'This attempt was cancelled. Nothing was changed.', [startOver(), exit()]);
      case 'SESSION_EXPIRED':
        return problem(
          'session_expired',
          'This attempt has expired',
          'For your security each attempt is open for a few minutes only. Start again to continue.',
          [startOver(), exit()],
        );
      case 'TOKEN_INVALID':
        return problem('token_invalid', 'This link has expired', `This reconnection link has expired or was already used. Go back to ${app} to start again.`, [
          exit(),
        ]);
      case 'ACCOUNT_NOT_FOUND':
        return problem('account_not_found', 'Account not found', `${app} could not find the account to reconnect. Go back to ${app} and try again.`, [exit()]);
      case 'BANK_CONNECTION_ERROR':
      case 'BANK_UNAVAILABLE':
        return problem('bank_unavailable', `${Bank()} is not responding`, 'This is usually temporary: try again in a moment.', [retry(result), exit()]);
      case 'NETWORK':
        return problem('network', 'No connection', 'Could not reach the server; check your connection and try again.', [retry(result), exit()]);
      default:
        return problem(
          result.code.toLowerCase(),
          'Something went wrong',
          `${app} could not continue. Try again, or close this and try again later.`,
          reconnecting || result.sessionOpen === false ? [again(), exit()] : [retry(result), startOver(), exit()],
        );
    }
  };

  const login = async (fields: Record<string, string>) => {
    post('mono.connect.login_attempt', eventData());
    setScreen({ name: 'busy', message: `Logging in to ${bank()}…` });
    outcome(await api.step('login', session.current!, fields), fields);
  };

  const answer = async (fields: Record<string, string>) => {
    post('mono.connect.mfa_submitted', eventData({ mfaType: 'otp' in fields ? 'OTP' : 'SECURITY_QUESTION' }));
    setScreen({ name: 'busy', message: 'Checking…' });
    outcome(await api.step('commit', session.current!, fields));
  };

  const chooseAccount = async (accountNumber: string) => {
    post('mono.connect.account_selected', eventData({ selectedAccountsCount: 1 }));
    setScreen({ name: 'busy', message: 'Linking your account…' });
    outcome(await api.step('commit', session.current!, { accountNumber }));
  };

  const finish = (code: string, redirectUrl: string | null) => {
    post('mono.connect.widget.account_linked', { code });
    if (config.mode === 'hosted' && redirectUrl) window.location.assign(redirectUrl);
  };

  /** Starts (or starts again) the re-authorisation the widget was opened for; an earlier session of it is cancelled first. */
  const reauthorise = async () => {
    setScreen({ name: 'busy', message: 'Checking your bank login…' });
    await endSession();
    lastForm.current = null;
    reason.current = null;
    const target = config.account ? { account: config.account } : { token: config.reauthToken ?? undefined };
    const started = await api.reauth(config.link ? { link: config.link } : { ...target, ...(config.reference ? { reference: config.reference } : {}) });
    session.current = started.session;
    reason.current = started.reason;
    // The account's bank, named on every screen from here on (and in the events, as Mono's are).
    const bank = started.institution ? config.institutions.find((i) => i.id === started.institution) : undefined;
    if (bank) institution.current = { bank, authMethod: bank.authMethods[0]?.type ?? 'internet_banking' };
    // The bank wants the person to log in (the saved login to confirm, or a new password): the login form, answered with login.
    if (started.result.kind === 'input' && started.next === 'login') return show(form('login', started.result.ui, sandboxNote(config, started.institution)));
    outcome(started.result);
  };

  const begin = () => {
    if (config.problem) return problem('widget_unavailable', config.problem.title, config.problem.message, [exit()]);
    if (reconnecting) return void reauthorise();
    const selected = config.selectedInstitution;
    const chosen = selected && config.institutions.find((i) => i.id === selected.id);
    if (chosen) return void pick(chosen, selected.authMethod);
    setScreen({ name: 'institutions' });
  };

  useEffect(() => {
    post('mono.connect.widget_opened', { pageName: reconnecting ? 'Reauthorisation' : PAGE_NAMES.institutions });
    begin();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && config.mode === 'embedded' && closeRef.current();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const target = main.current?.querySelector<HTMLElement>('[autofocus]') ?? main.current?.querySelector<HTMLElement>('h1');
    target?.focus();
  }, [screen]);

  const success = reconnecting
    ? { title: 'Account reconnected', message: `Your ${bankName() ? `${bankName()} account` : 'bank account'} is connected again.` }
    : { title: 'Account linked', message: `Your ${bankName() ? `${bankName()} account` : 'bank account'} is now linked.` };
  return html`
    <div class="widget">
      <header>
        <span class="brand">${app}${config.sandbox ? html` <span class="badge">Test mode</span>` : null}</span>
        <button type="button" class="close" aria-label="Close" onClick=${close}>×</button>
      </header>
      <main ref=${main}>
        ${screen.name === 'institutions' ? html`<${InstitutionPicker} institutions=${config.institutions} onPick=${(chosen: WidgetInstitution) => pick(chosen)} />` : null}
        ${
          screen.name === 'login'
            ? html`<${FieldsForm} key=${`login-${screen.key}`} screen="login" ui=${screen.ui} note=${screen.note} lead=${screen.lead} error=${screen.error} values=${screen.values} submitLabel="Log in" onSubmit=${login} />`
            : null
        }
        ${
          screen.name === 'mfa'
            ? html`<${FieldsForm} key=${`mfa-${screen.key}`} screen="mfa" ui=${screen.ui} note=${screen.note} lead=${screen.lead} error=${screen.error} values=${screen.values} submitLabel="Continue" onSubmit=${answer} />`
            : null
        }
        ${screen.name === 'accounts' ? html`<${AccountPicker} accounts=${screen.accounts} onSubmit=${chooseAccount} />` : null}
        ${screen.name === 'busy' ? html`<${Busy} message=${screen.message} />` : null}
        ${screen.name === 'success' ? html`<${Success} title=${success.title} message=${success.message} hosted=${config.mode === 'hosted'} onContinue=${() => finish(screen.code, screen.redirectUrl)} />` : null}
        ${screen.name === 'problem' ? html`<${Problem} kind=${screen.kind} title=${screen.title} message=${screen.message} actions=${screen.actions} />` : null}
      </main>
      <footer>Secured by Relink · Relink keeps your bank login encrypted to refresh your data for ${app}</footer>
    </div>
  `;
}

/** When a paused attempt may go again, from the server's `Retry-After`, in words. */
function later(seconds: number | null): string {
  if (seconds === null) return 'later';
  if (seconds <= 60) return 'in a minute';
  if (seconds < 90 * 60) return `in about ${Math.ceil(seconds / 60)} minutes`;
  const hours = Math.round(seconds / 3600);
  return `in about ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}
