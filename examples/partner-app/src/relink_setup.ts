import type { Relink } from '@relink/sdk';

/**
 * What the app tells Relink when it starts: where its webhook is (Relink answers with a new
 * signing secret, kept only in memory) and that its own origin may frame the widget (added to
 * the app's allowed origins, keeping any already there).
 */
export async function registerWithRelink(relink: Relink, options: { webhookUrl: string; origin: string }): Promise<{ webhookSecret: string }> {
  const endpoint = await relink.webhooks.setEndpoint(options.webhookUrl);
  const origins = (await relink.links.origins()) ?? [];
  if (!origins.includes(options.origin)) await relink.links.setOrigins([...origins, options.origin]);
  return { webhookSecret: endpoint.webhook_secret };
}
