import type { Config } from '../config/config.ts';
import { DomainError } from '../lib/errors.ts';
import type { Operator, SetupLink } from '../operators/service.ts';
import { type CliContext, withServices } from './context.ts';

const USE = 'use operators add EMAIL, operators list, operators remove EMAIL or operators reset-password EMAIL';

/**
 * `relink operators …`: the console's operators, from the server's shell. Set-up links are
 * printed here only (they are credentials until used); every change is in the audit log as `cli`.
 */
export async function operatorsCommand(context: CliContext, sub: string | undefined, args: string[]): Promise<number> {
  const who = args[0];
  if ((sub === 'add' || sub === 'remove' || sub === 'reset-password') && !who) throw new Error(`name the operator: relink operators ${sub} EMAIL`);
  switch (sub) {
    case 'add': {
      const link = await withServices(context, (s) =>
        s.operators.add(who!, 'cli').catch((error: unknown) => {
          throw error instanceof DomainError ? new Error(error.message) : error;
        }),
      );
      printLink(context, link, `Added operator ${link.operator.email}.`);
      return 0;
    }
    case 'list': {
      const operators = await withServices(context, (s) => s.operators.list());
      if (context.values.json) context.out(JSON.stringify(operators.map(describe)));
      else if (operators.length === 0) context.out('No operators. Add one with: relink operators add EMAIL');
      else for (const operator of operators) context.out(line(operator));
      return 0;
    }
    case 'remove': {
      const removed = await withServices(context, (s) => s.operators.remove(who!, 'cli'));
      if (!removed) throw new Error(`no operator ${who}`);
      if (context.values.json) context.out(JSON.stringify(describe(removed)));
      else context.out(`Removed operator ${removed.email ?? removed.id}; their sessions ended.`);
      return 0;
    }
    case 'reset-password': {
      const link = await withServices(context, (s) => s.operators.resetPassword(who!, 'cli'));
      if (!link) throw new Error(`no operator ${who}`);
      printLink(
        context,
        link,
        `Reset the password of ${link.operator.email ?? link.operator.id}: the old one no longer works, and ${link.sessionsEnded} console session${link.sessionsEnded === 1 ? '' : 's'} ended.`,
      );
      return 0;
    }
    default:
      throw new Error(`unknown command "operators ${sub ?? ''}": ${USE}`);
  }
}

/** The set-up page's address: under RELINK_PUBLIC_URL when set, else the address `relink serve` listens on. */
export function setupUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>, token: string, base?: string): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${base ?? config.publicUrl ?? `http://${host}:${config.port}`}/dashboard/setup/${token}`;
}

function printLink(context: CliContext, link: SetupLink, headline: string) {
  const url = setupUrl(context.config, link.token);
  if (context.values.json) {
    context.out(JSON.stringify({ ...describe(link.operator), setupUrl: url, setupExpiresAt: new Date(link.expiresAt).toISOString() }));
    return;
  }
  context.out(headline);
  context.out(`One-time set-up link (works once, for 24 hours; open it to choose the password):`);
  context.out(`  ${url}`);
}

function describe(operator: Operator) {
  return {
    id: operator.id,
    email: operator.email,
    active: operator.active,
    setupPending: operator.setupExpiresAt !== null,
    createdAt: new Date(operator.createdAt).toISOString(),
    lastSignInAt: operator.lastSignInAt === null ? null : new Date(operator.lastSignInAt).toISOString(),
  };
}

function line(operator: Operator): string {
  const state = operator.active ? 'active' : operator.setupExpiresAt ? 'waiting for set-up' : 'no password (set-up link expired: reset-password)';
  const last = operator.lastSignInAt ? `  last sign-in ${new Date(operator.lastSignInAt).toISOString()}` : '';
  return `${operator.id}  ${operator.email ?? '(email chosen at set-up)'}  ${state}${last}`;
}
