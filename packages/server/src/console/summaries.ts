import type { App } from '../apps/service.ts';
import type { Services } from '../http/types.ts';

/** An app with the counts the overview and the accounts page show: cheap (two counts an app). */
export interface AppSummary {
  app: App;
  accounts: number;
  waitingForReauth: number;
}

export async function appSummaries(services: Services): Promise<AppSummary[]> {
  const apps = await services.apps.list();
  const one = { limit: 1, offset: 0 };
  return Promise.all(
    apps.map(async (app) => {
      const [all, waiting] = await Promise.all([services.accounts.list(app.id, {}, one), services.accounts.list(app.id, { reauthRequired: true }, one)]);
      return { app, accounts: all.total, waitingForReauth: waiting.total };
    }),
  );
}
