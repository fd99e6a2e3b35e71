import { Type } from 'typebox';
import { AccountId, Transaction } from '../accounts.ts';
import { V1Failure, V2Envelope, V2Failure } from '../envelope.ts';
import { operation } from '../operation.ts';
import {
  StatementFileParams,
  StatementJob,
  StatementJobParams,
  StatementMeta,
  StatementQuery,
  StatementQueryV2,
  StatementTransactionV2,
  StatementV2,
} from '../statements.ts';

const DESCRIPTION =
  '`output=json` (the default) answers the period’s transactions, newest first, from the last sync, with the balances when the period starts and ends. `output=pdf` answers a job that builds the statement as a PDF in the background: poll it at `…/statement/jobs/{jobId}` until `status` is `BUILT`, then download `path`.';

/** Mono's v1 (mono-node `getAccountStatement`): the JSON statement `{meta, data}`, or the PDF's job `{id, status, path}`. */
export const getStatementV1 = operation({
  method: 'GET',
  path: '/accounts/:id/statement',
  summary: 'Account statement, JSON or PDF (v1)',
  description: DESCRIPTION,
  tags: ['Statements'],
  params: AccountId,
  query: StatementQuery,
  response: Type.Union([Type.Object({ meta: StatementMeta, data: Type.Array(Transaction) }), StatementJob]),
  failure: V1Failure,
});

/** v2: the envelope; `data` the transactions (and `meta`), `format=v2`'s object, or the job. */
export const getStatement = operation({
  method: 'GET',
  path: '/v2/accounts/:id/statement',
  summary: 'Account statement, JSON or PDF (v2)',
  description: `${DESCRIPTION} With \`format=v2\` the JSON statement is \`data: {count, requested_length, available_length, statement}\`.`,
  tags: ['Statements'],
  params: AccountId,
  query: StatementQueryV2,
  response: V2Envelope(Type.Union([Type.Array(StatementTransactionV2), StatementV2, StatementJob]), { meta: Type.Optional(StatementMeta) }),
  failure: V2Failure,
});

/** mono-node `pollPdfAccountStatementStatus`. */
export const getStatementJobV1 = operation({
  method: 'GET',
  path: '/accounts/:id/statement/jobs/:jobId',
  summary: 'A PDF statement’s job: BUILDING, BUILT with the file’s URL, or FAILED (v1)',
  tags: ['Statements'],
  params: StatementJobParams,
  response: StatementJob,
  failure: V1Failure,
});

export const getStatementJob = operation({
  method: 'GET',
  path: '/v2/accounts/:id/statement/jobs/:jobId',
  summary: 'A PDF statement’s job: BUILDING, BUILT with the file’s URL, or FAILED (v2)',
  tags: ['Statements'],
  params: StatementJobParams,
  response: V2Envelope(StatementJob),
  failure: V2Failure,
});

/**
 * The file at a job's `path` [Relink's URL; Mono's is its own]. No key: the 256-bit token is the
 * credential, short-lived and stored only hashed, so code that hands `path` to a browser or
 * downloads it bare works; a request that does send a key must send the owning app's.
 */
export const downloadStatement = operation({
  method: 'GET',
  path: '/v2/statements/:token',
  summary: 'Download a built PDF statement (the URL a job answered with)',
  tags: ['Statements'],
  auth: 'none',
  params: StatementFileParams,
  response: Type.Unsafe<Uint8Array>({
    description: 'The statement, `application/pdf`',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  }),
  failure: V2Failure,
});
