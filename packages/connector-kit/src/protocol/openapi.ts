/**
 * The connector protocol as an OpenAPI 3.1 document: what a connector service implements, in
 * any language, for Relink to call it (RELINK_CONNECTOR_URLS). `serveConnector` serves it at
 * `GET /openapi.json`; docs/connectors.md walks through it.
 */
const signed = [
  { $ref: '#/components/parameters/WebhookId' },
  { $ref: '#/components/parameters/WebhookTimestamp' },
  { $ref: '#/components/parameters/WebhookSignature' },
];
const idempotent = [...signed, { $ref: '#/components/parameters/IdempotencyKey' }, { $ref: '#/components/parameters/Timeout' }];
const failures = {
  '400': { $ref: '#/components/responses/Problem' },
  '401': {
    description: 'The request is not signed with the shared secret (unsigned answer).',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
  '409': { $ref: '#/components/responses/Problem' },
  '500': {
    description: 'The connector threw: a bug. Relink fails the step.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
  '503': {
    description: 'The bank is down. Relink treats it as the `unavailable` outcome.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
  '504': {
    description: 'The connector did not answer within relink-timeout-ms.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
};
const outcome = (schema: string) => ({
  '200': {
    description: 'The bank’s answer, signed with the request’s webhook-id.',
    headers: {
      'webhook-id': { schema: { type: 'string' } },
      'webhook-timestamp': { schema: { type: 'string' } },
      'webhook-signature': { schema: { type: 'string' } },
    },
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
  },
  ...failures,
});
const call = (summary: string, description: string, body: Record<string, unknown>, reply: string, headers = idempotent) => ({
  post: {
    summary,
    description,
    parameters: headers,
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: { type: 'object', required: ['now', ...Object.keys(body)], properties: { now: { $ref: '#/components/schemas/Now' }, ...body } },
        },
      },
    },
    responses: outcome(reply),
  },
});
const state = { $ref: '#/components/schemas/State' };
const fields = { type: 'object', additionalProperties: { type: 'string' } };
const account = {
  type: 'object',
  required: ['accountNumber', 'name', 'type', 'currency', 'balance'],
  properties: {
    accountNumber: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string', examples: ['SAVINGS_ACCOUNT'] },
    currency: { type: 'string', examples: ['NGN'] },
    balance: { type: 'integer', description: 'Minor units (kobo).' },
  },
};
const ui = {
  type: 'object',
  required: ['title', 'form'],
  properties: {
    title: { type: 'string' },
    form: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'name', 'hint', 'contentType'],
        properties: {
          type: { enum: ['elements.input', 'elements.captcha_input', 'elements.switch'] },
          name: { type: 'string' },
          hint: { type: 'string' },
          contentType: { enum: ['string', 'password', 'integer'] },
          maxLength: { type: 'integer' },
        },
      },
    },
  },
};
const kind = (name: string, extra: Record<string, unknown> = {}, required: string[] = []) => ({
  type: 'object',
  required: ['kind', ...required],
  properties: { kind: { const: name }, ...extra },
});

export const PROTOCOL_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Relink connector protocol',
    version: '1',
    description:
      'A bank connector served over HTTP so it can be written in any language and deployed on its own. Relink is the client. Every request and every answer is signed as Relink signs webhooks (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature `v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>`, keyed by the base64 part of the shared secret, whsec_ prefix optional); an answer is signed with its request’s webhook-id, and a timestamp more than 300 s away is refused. Expected bank answers are 200 outcomes, never errors. The interface version (interfaceVersion in the manifest, `major.minor`) says which connector interface the service implements.',
  },
  paths: {
    '/v1/manifest': {
      get: {
        summary: 'Who the connector is',
        description: 'Read once when Relink starts: the interface version, the connector’s name and the institutions it serves. Signed over an empty body.',
        parameters: signed,
        responses: outcome('Manifest'),
      },
    },
    '/v1/login': call(
      'Log in',
      'A login with the institution’s form fields. Not repeated: a retry after a dropped connection carries the same idempotency-key and must get the same answer without logging in again.',
      { input: { $ref: '#/components/schemas/LoginInput' } },
      'Outcome',
    ),
    '/v1/answer': call('Answer a challenge', 'The fields the last challenge asked for (an OTP, a security answer).', { state, fields }, 'Outcome'),
    '/v1/select-account': call('Pick an account', 'One of the accounts a select outcome offered.', { state, accountNumber: { type: 'string' } }, 'Outcome'),
    '/v1/fetch-data': call(
      'Read an account’s data',
      'Details, identity and transactions with a logged-in state. Safe to repeat, so no idempotency-key.',
      {
        state,
        accountNumber: { type: 'string' },
        request: { type: 'object', properties: { since: { type: 'integer', description: 'Only transactions after this time (epoch ms).' } } },
      },
      'FetchOutcome',
      [...signed, { $ref: '#/components/parameters/Timeout' }],
    ),
    '/v1/reset-login': call(
      'Sandbox only: force the next login into a case',
      'Answered by a sandbox bank (manifest sandboxControls true); 404 otherwise.',
      { institutionId: { type: 'string' }, fields, reason: { enum: ['mfa_required', 'password_changed'] } },
      'ResetLogin',
    ),
  },
  components: {
    parameters: {
      WebhookId: { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' } },
      WebhookTimestamp: { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string', description: 'Epoch seconds.' } },
      WebhookSignature: {
        name: 'webhook-signature',
        in: 'header',
        required: true,
        schema: { type: 'string', examples: ['v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='] },
      },
      IdempotencyKey: { name: 'idempotency-key', in: 'header', required: true, schema: { type: 'string', maxLength: 200 } },
      Timeout: { name: 'relink-timeout-ms', in: 'header', required: false, schema: { type: 'integer', minimum: 1, maximum: 600000 } },
    },
    responses: { Problem: { description: 'A malformed call.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } } },
    schemas: {
      Now: { type: 'integer', description: 'Relink’s clock, epoch ms: use it, not your own, for anything the connector dates.' },
      State: { type: 'object', description: 'Whatever the connector returned as state, passed back unchanged (Relink stores it encrypted).' },
      Problem: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
      LoginInput: {
        type: 'object',
        required: ['institutionId', 'authMethod', 'fields'],
        properties: { institutionId: { type: 'string' }, authMethod: { type: 'string' }, fields },
      },
      Manifest: {
        type: 'object',
        required: ['protocol', 'interfaceVersion', 'name', 'institutions', 'sandboxControls'],
        properties: {
          protocol: { const: 1 },
          interfaceVersion: { type: 'string', pattern: '^\\d+\\.\\d+$' },
          name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
          institutions: {
            type: 'array',
            items: {
              type: 'object',
              description:
                'InstitutionDefinition: id, name, type, identifier, bankCode, nipCode, country, primaryColor, icon, authMethods[{id, type, name, ui}]',
            },
          },
          sandboxControls: { type: 'boolean' },
          testLogins: { type: 'object', description: 'TestLogins, for relink-connector-test.' },
        },
      },
      Outcome: {
        oneOf: [
          kind('ok', { accounts: { type: 'array', items: account }, state }, ['accounts', 'state']),
          kind('select', { accounts: { type: 'array', items: account }, state }, ['accounts', 'state']),
          kind('challenge', { ui, state }, ['ui', 'state']),
          kind('wrong_answer', { message: { type: 'string' }, ui, state }, ['message', 'ui', 'state']),
          kind('invalid_credentials', { message: { type: 'string' } }, ['message']),
          kind('locked', { message: { type: 'string' } }, ['message']),
          kind('unavailable', { message: { type: 'string' } }, ['message']),
        ],
      },
      FetchOutcome: {
        oneOf: [
          kind(
            'ok',
            { data: { type: 'object', description: 'AccountData: account (with bvn), identity, transactions, loginExpiresAt (epoch ms, optional).' } },
            ['data'],
          ),
          kind('session_expired', { message: { type: 'string' } }, ['message']),
          kind('unavailable', { message: { type: 'string' } }, ['message']),
        ],
      },
      ResetLogin: { type: 'object', required: ['username'], properties: { username: { type: 'string' }, newPassword: { type: 'string' } } },
    },
  },
} as const;
