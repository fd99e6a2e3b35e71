/// <reference lib="dom" />
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { WidgetApi, type StepResult } from './api.ts';
import type { BankAccountChoice, FormUi, WidgetConfig, WidgetInstitution } from './config.ts';
import { emitter, type EventData } from './events.ts';
import { html } from './html.ts';
import { AccountPicker, Busy, FieldsForm, InstitutionPicker, Problem, type ProblemAction, Success } from './screens.ts';

/** Wrong passwords per session before it fails: the server enforces it (sessions/machine.ts MAX_ATTEMPTS); shown here. */
const MAX_ATTEMPTS = 3;

type Screen =
  | { name: 'institutions' }
  | { name: 'login'; ui: FormUi; note: string | null }
  | { name: 'mfa'; ui: FormUi; note: string | null }
  | { name: 'accounts'; accounts: BankAccountChoice[] }
  | { name: 'busy'; message: string }
  | { name: 'success'; code: string; redirectUrl: string | null }
  | { name: 'problem'; kind: string; title: string; message: string; actions: ProblemAction[] };

const SANDBOX_NOTE = 'Test mode: log in as user_good, user_otp (OTP 12345) or user_multi, password pass_good.';

const PAGE_NAMES: Record<Screen['name'], string> = {
  institutions: 'InstitutionSelector',
  login: 'Login',
  mfa: 'Mfa',
  accounts: 'AccountSelector',
  busy: 'Loading',
  success: 'Success',
  problem: 'Error',
};

export function Widget({ config }: { config: WidgetConfig }) {
  const api = useMemo(() => new WidgetApi(config.key), [config.key]);
  const post = useMemo(() => emitter(config), [config]);
  const [screen, setScreen] = useState<Screen>({ name: 'busy', message: 'Loading…' });
  const institution = useRef<{ bank: WidgetInstitution; authMethod: string } | null>(null);
  const session = useRef<string | null>(null);
  const lastForm = useRef<Screen | null>(null);
  const loginFailures = useRef(0);
  const main = useRef<HTMLElement>(null);

  const eventData = (extra: EventData = {}): EventData => {
    const chosen = institution.current;
    return {
      pageName: PAGE_NAMES[screen.name],
      ...(chosen ? { institution: { id: chosen.bank.id, name: chosen.bank.name }, authMethod: chosen.authMethod } : {}),
      ...extra,
    };
  };

  const close = () => {
    post('mono.connect.on_exit', eventData());
    post('mono.connect.widget.closed', eventData());
    if (config.mode === 'hosted' && config.cancelUrl) window.location.assign(config.cancelUrl);
  };

  const problem = (kind: string, title: string, message: string, actions: ProblemAction[]) => {
    post('mono.connect.error_occured', eventData({ errorType: kind, errorMessage: message }));
    setScreen({ name: 'problem', kind, title, message, actions });
  };

  const startOver = (): ProblemAction => ({ label: 'Start again', run: () => (institution.current && !config.selectedInstitution ? setScreen({ name: 'institutions' }) : begin()) });
  const back = (): ProblemAction => ({ label: 'Try again', run: () => setScreen(lastForm.current ?? { name: 'institutions' }) });
  const exit = (): ProblemAction => ({ label: 'Close', run: close });

  const pick = async (bank: WidgetInstitution, authMethod = bank.authMethods[0]?.type ?? 'internet_banking') => {
    institution.current = { bank, authMethod };
    loginFailures.current = 0;
    post('mono.connect.institution_selected', eventData({ institution: { id: bank.id, name: bank.name }, authMethod, pageName: PAGE_NAMES.institutions }));
    setScreen({ name: 'busy', message: `Connecting to ${bank.name}…` });
    const started = await api.startSession({
      institution: bank.id,
      auth_method: authMethod,
      ...(config.customer ? { customer: config.customer } : {}),
      ...(config.reference ? { reference: config.reference } : {}),
      ...(config.link ? { link: config.link } : {}),
    });
    if ('kind' in started) return failure(started);
    session.current = started.id;
    show({ name: 'login', ui: started.ui, note: config.sandbox ? SANDBOX_NOTE : null });
  };

  const show = (next: Screen) => {
    if (next.name === 'login' || next.name === 'mfa' || next.name === 'accounts') lastForm.current = next;
    setScreen(next);
  };

  const outcome = (result: StepResult) => {
    switch (result.kind) {
      case 'linked':
        post('mono.connect.account_linked', eventData({ pageName: PAGE_NAMES.success }));
        return setScreen({ name: 'success', code: result.code, redirectUrl: result.redirectUrl });
      case 'accounts':
        return show({ name: 'accounts', accounts: result.accounts });
      case 'input':
        return show({ name: 'mfa', ui: result.ui, note: null });
      case 'failed':
        return failure(result);
    }
  };

  const failure = (result: Extract<StepResult, { kind: 'failed' }>) => {
    const bank = institution.current?.bank.name ?? 'your bank';
    switch (result.code) {
      case 'BANK_LOGIN_FAILED': {
        if (result.sessionOpen) {
          loginFailures.current++;
          const left = MAX_ATTEMPTS - loginFailures.current;
          return problem('invalid_credentials', 'Incorrect login details', `${sentence(result.message)} You have ${left} ${left === 1 ? 'try' : 'tries'} left.`, [back(), exit()]);
        }
        if (loginFailures.current + 1 >= MAX_ATTEMPTS && /failed logins/.test(result.message)) {
          return problem('too_many_attempts', 'Too many attempts', `${bank} did not accept these details ${MAX_ATTEMPTS} times. Start again when you have the right details.`, [startOver(), exit()]);
        }
        return problem('account_locked', 'Your bank account is locked', `${sentence(result.message)} Contact ${bank} to unlock it, then try again.`, [startOver(), exit()]);
      }
      case 'OTP_INVALID':
        return problem('invalid_answer', 'That answer was not accepted', sentence(result.message), [back(), exit()]);
      case 'OTP_ATTEMPTS_EXCEEDED':
        return problem('too_many_attempts', 'Too many wrong answers', `${bank} did not accept the answer ${MAX_ATTEMPTS} times, so this attempt has stopped. Start again to get a new code.`, [startOver(), exit()]);
      case 'BANK_CONNECTION_ERROR':
      case 'BANK_UNAVAILABLE':
        return problem('bank_unavailable', `${bank} is not responding`, `${sentence(result.message)} This is usually temporary: try again in a moment.`, [back(), exit()]);
      case 'SESSION_EXPIRED':
        return problem('session_expired', 'This attempt has expired', 'For your security each attempt is open for a few minutes only. Start again to continue.', [startOver(), exit()]);
      case 'NETWORK':
        return problem('network', 'No connection', result.message, [back(), exit()]);
      default:
        return problem(result.code.toLowerCase(), 'Something went wrong', result.message, result.sessionOpen === false ? [startOver(), exit()] : [back(), startOver(), exit()]);
    }
  };

  const login = async (fields: Record<string, string>) => {
    post('mono.connect.login_attempt', eventData());
    setScreen({ name: 'busy', message: `Logging in to ${institution.current?.bank.name ?? 'your bank'}…` });
    outcome(await api.step('login', session.current!, fields));
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

  const reauthorise = async (target: { account: string } | { token: string }) => {
    setScreen({ name: 'busy', message: 'Checking your bank login…' });
    const started = await api.reauth(config.link ? { link: config.link } : { ...target, ...(config.reference ? { reference: config.reference } : {}) });
    session.current = started.session;
    // Stored credentials the bank rejected (password changed): the login form comes back, and goes to login.
    if (started.result.kind === 'input' && started.next === 'login') return show({ name: 'login', ui: started.result.ui, note: null });
    outcome(started.result);
  };

  const begin = () => {
    if (config.problem) return problem('widget_unavailable', config.problem.title, config.problem.message, [exit()]);
    if (config.account) return void reauthorise({ account: config.account });
    if (config.reauthToken) return void reauthorise({ token: config.reauthToken });
    const selected = config.selectedInstitution;
    const bank = selected && config.institutions.find((i) => i.id === selected.id);
    if (bank) return void pick(bank, selected.authMethod);
    setScreen({ name: 'institutions' });
  };

  useEffect(() => {
    post('mono.connect.widget_opened', { pageName: config.account || config.reauthToken ? 'Reauthorisation' : PAGE_NAMES.institutions });
    begin();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && config.mode === 'embedded' && close();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const target = main.current?.querySelector<HTMLElement>('[autofocus]') ?? main.current?.querySelector<HTMLElement>('h1');
    target?.focus();
  }, [screen]);

  const bankName = institution.current?.bank.name ?? 'your bank';
  return html`
    <div class="widget">
      <header>
        <span class="brand">${config.appName}${config.sandbox ? html` <span class="badge">Test mode</span>` : null}</span>
        <button type="button" class="close" aria-label="Close" onClick=${close}>×</button>
      </header>
      <main ref=${main}>
        ${screen.name === 'institutions' ? html`<${InstitutionPicker} institutions=${config.institutions} onPick=${(bank: WidgetInstitution) => pick(bank)} />` : null}
        ${screen.name === 'login' ? html`<${FieldsForm} key="login" screen="login" ui=${screen.ui} note=${screen.note} submitLabel="Log in" onSubmit=${login} />` : null}
        ${screen.name === 'mfa' ? html`<${FieldsForm} key=${screen.ui.form.map((f) => f.name).join()} screen="mfa" ui=${screen.ui} note=${screen.note} submitLabel="Continue" onSubmit=${answer} />` : null}
        ${screen.name === 'accounts' ? html`<${AccountPicker} accounts=${screen.accounts} onSubmit=${chooseAccount} />` : null}
        ${screen.name === 'busy' ? html`<${Busy} message=${screen.message} />` : null}
        ${screen.name === 'success' ? html`<${Success} institution=${bankName} hosted=${config.mode === 'hosted'} onContinue=${() => finish(screen.code, screen.redirectUrl)} />` : null}
        ${screen.name === 'problem' ? html`<${Problem} kind=${screen.kind} title=${screen.title} message=${screen.message} actions=${screen.actions} />` : null}
      </main>
      <footer>Secured by Relink · Relink keeps your bank login encrypted to refresh your data for ${config.appName}</footer>
    </div>
  `;
}

/** A server message as a sentence: one full stop at its end, never two. */
function sentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}
