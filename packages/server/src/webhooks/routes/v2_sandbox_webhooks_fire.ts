import { Nullable, V2Envelope, V2Failure } from '@relink/contract';
import { Type } from 'typebox';
import { EVENT_TYPES } from '../../events/events.ts';
import { successV2 } from '../../http/envelope.ts';
import { AppError } from '../../http/errors.ts';
import type { HttpApp, Services } from '../../http/types.ts';

export function register(app: HttpApp, { webhooks }: Services) {
  app.post('/v2/sandbox/webhooks/fire', {
    schema: {
      summary: 'Sandbox: send any event for one of your accounts (test keys only)',
      tags: ['Sandbox', 'Webhooks'],
      body: Type.Object(
        { event: Type.Enum([...EVENT_TYPES]), account: Type.String({ minLength: 1, maxLength: 64 }) },
        { additionalProperties: false },
      ),
      response: {
        200: V2Envelope(Type.Object({ event_id: Type.String(), event: Type.String(), delivery_id: Nullable(Type.String()) })),
        '4xx': V2Failure,
      },
    },
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
