/**
 * A partner's webhook endpoint for tests: a real HTTP receiver on 127.0.0.1 that records every
 * request and answers as the test says, and the app's endpoint set through the API.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call } from './http.ts';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** `webhook-id` of the request. */
  id: string;
}

export type Answer = (request: Received, response: ServerResponse, index: number) => void;

export interface Receiver {
  url: string;
  received: Received[];
  answer: Answer;
  close(): Promise<void>;
}

export const ok: Answer = (_req, res) => res.writeHead(200).end('ok');

export async function startReceiver(answer: Answer = ok): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = { url: '', received, answer, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), id: String(req.headers['webhook-id']) };
      received.push(entry);
      receiver.answer(entry, res, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Sets the app's endpoint through the API and returns the new webhook secret. */
export async function setEndpoint(server: { url: string }, key: string, url: string): Promise<string> {
  const res = await call(server.url, 'PUT', '/v2/webhooks/endpoint', { key, body: { url } });
  if (res.status !== 200) throw new Error(`PUT /v2/webhooks/endpoint answered ${res.status}: ${res.text}`);
  return res.body.data.webhook_secret as string;
}
