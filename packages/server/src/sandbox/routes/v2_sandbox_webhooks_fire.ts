import { fireSandboxEvent } from '@relink/contract/operations';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import { routeOf } from '../../http/operation.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.route({
    ...routeOf(fireSandboxEvent),
    // A live key is refused before its body is looked at.
    preValidation: async (request) => {
      if (request.partner?.mode !== 'test') throw new AppError('FORBIDDEN', 'Sandbox helpers answer only to test keys');
    },
    handler: async (request) => {
      const partner = request.partner!;
      const { event, account } = request.body;
      const fired = await webhooks.fire(partner.id, event, account);
      if (!fired) throw new AppError('ACCOUNT_NOT_FOUND', `No account ${account} for this app`);
      const message = fired.deliveryId ? 'Event recorded; delivery queued' : 'Event recorded; no delivery (the app has no enabled webhook URL)';
      return successV2(message, { event_id: fired.eventId, event, delivery_id: fired.deliveryId });
    },
  });
}
