/**
 * What the app tells Relink when it starts: where its webhook is (Relink answers with a new
 * signing secret, kept only in memory) and that its own origin may frame the widget (added to
 * the app's allowed origins, keeping any already there).
 */
export async function registerWithRelink(options: { relinkUrl: string; secretKey: string; webhookUrl: string; origin: string }): Promise<{ webhookSecret: string }> {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(options.relinkUrl.replace(/\/+$/, '') + path, {
      method,
      headers: { 'mono-sec-key': options.secretKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const parsed = (await response.json().catch(() => undefined)) as { data?: any; message?: string } | undefined;
    if (!response.ok) throw new Error(`Relink refused ${method} ${path} (${response.status}): ${parsed?.message ?? 'no message'}`);
    return parsed!.data;
  };
  const endpoint = (await call('PUT', '/v2/webhooks/endpoint', { url: options.webhookUrl })) as { webhook_secret: string };
  const { origins } = (await call('GET', '/v2/connect/origins')) as { origins: string[] | null };
  if (!(origins ?? []).includes(options.origin)) await call('PUT', '/v2/connect/origins', { origins: [...(origins ?? []), options.origin] });
  return { webhookSecret: endpoint.webhook_secret };
}
