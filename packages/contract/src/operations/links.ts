import { ConnectOrigins, InitiateBody, InitiateData } from '../connect.ts';
import { V2Envelope, V2Failure } from '../envelope.ts';
import { operation } from '../operation.ts';

export const getOrigins = operation({
  method: 'GET',
  path: '/v2/connect/origins',
  summary: 'The origins allowed to frame the Connect widget (null: any page)',
  tags: ['Connect widget'],
  response: V2Envelope(ConnectOrigins),
  failure: V2Failure,
});

/** With a list, the widget page's `frame-ancestors` names exactly these, and a `referrer` of another origin gets no widget. */
export const setOrigins = operation({
  method: 'PUT',
  path: '/v2/connect/origins',
  summary: 'Set the origins allowed to frame the Connect widget ([] or null: any page)',
  tags: ['Connect widget'],
  body: ConnectOrigins,
  response: V2Envelope(ConnectOrigins),
  failure: V2Failure,
});

/** Mono's Connect Link: single use, 24 hours; afterwards the user goes to `redirect_url` with `code`, `reference` and `status`. */
export const initiateLink = operation({
  method: 'POST',
  path: '/v2/accounts/initiate',
  summary: 'Create a hosted link (Connect Link) for a new link or a re-authorisation',
  tags: ['Connect widget'],
  body: InitiateBody,
  response: V2Envelope(InitiateData),
  failure: V2Failure,
});
