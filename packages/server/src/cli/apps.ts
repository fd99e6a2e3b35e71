import type { App } from '../apps/service.ts';
import { type CliContext, requireFlag, withCore } from './context.ts';

export async function appsCommand(context: CliContext, sub: string | undefined): Promise<number> {
  switch (sub) {
    case 'create': {
      const name = requireFlag(context, 'name');
      if (name.length > 100) throw new Error('--name must be at most 100 characters');
      const webhookUrl = context.values['webhook-url'];
      if (webhookUrl !== undefined) checkUrl(webhookUrl);
      const app = await withCore(context, (s) => s.apps.create({ name, webhookUrl, live: context.values.live === true }));
      const printed = { id: app.id, name: app.name, mode: app.mode, secretKey: app.secretKey, publicKey: app.publicKey, webhookSecret: app.webhookSecret };
      if (context.values.json) context.out(JSON.stringify(printed));
      else {
        context.out(`Created ${app.mode} app "${app.name}" (${app.id}).`);
        context.out(`  secret key:     ${app.secretKey}`);
        context.out(`  public key:     ${app.publicKey}`);
        context.out(`  webhook secret: ${app.webhookSecret}`);
        context.out('The secret key and webhook secret are shown only now; Relink keeps only a hash of the key.');
        context.out('Setting the webhook URL with PUT /v2/webhooks/endpoint later issues a new webhook secret (docs/webhooks.md).');
      }
      return 0;
    }
    case 'list': {
      const apps = await withCore(context, (s) => s.apps.list());
      if (context.values.json) context.out(JSON.stringify(apps.map(describe)));
      else if (apps.length === 0) context.out('No apps. Create one with: relink apps create --name NAME');
      else for (const app of apps) context.out(line(app));
      return 0;
    }
    case 'delete': {
      const id = requireFlag(context, 'app');
      const deleted = await withCore(context, (s) => s.apps.delete(id));
      if (!deleted) throw new Error(`no app with id ${id}`);
      context.out(`Deleted app ${id}; its keys no longer work.`);
      return 0;
    }
    default:
      throw new Error(`unknown command "apps ${sub ?? ''}": use apps create, apps list or apps delete`);
  }
}

export async function keysCommand(context: CliContext, sub: string | undefined): Promise<number> {
  if (sub !== 'rotate') throw new Error(`unknown command "keys ${sub ?? ''}": use keys rotate --app ID`);
  const id = requireFlag(context, 'app');
  const rotated = await withCore(context, (s) => s.apps.rotateKey(id));
  if (!rotated) throw new Error(`no app with id ${id}`);
  if (context.values.json) context.out(JSON.stringify(rotated));
  else {
    context.out(`New secret key for app ${id}: ${rotated.secretKey}`);
    context.out('The previous key stopped working just now.');
  }
  return 0;
}

function checkUrl(value: string) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--webhook-url is not a valid URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('--webhook-url must be an http(s) URL');
}

function describe(app: App) {
  return {
    id: app.id,
    name: app.name,
    mode: app.mode,
    publicKey: app.publicKey,
    secretKeyHint: app.secretKeyHint,
    webhookUrl: app.webhookUrl,
    webhookDisabled: app.webhookDisabled,
    createdAt: new Date(app.createdAt).toISOString(),
  };
}

function line(app: App): string {
  const webhook = app.webhookUrl ? `  webhook=${app.webhookUrl}${app.webhookDisabled ? ' (disabled: ' + app.webhookDisabled.reason + ')' : ''}` : '';
  return `${app.id}  ${app.mode}  ${app.name}  public_key=${app.publicKey}  secret_key=…${app.secretKeyHint ?? '(none)'}${webhook}`;
}
