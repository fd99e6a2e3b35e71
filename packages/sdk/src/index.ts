/**
 * @relink/sdk — the typed client grows with its own issue. For now it re-exports the wire
 * contract (error catalogue, response codes, schemas) so partner code can switch on `code`.
 */
export { ERROR_CODES, RESPONSE_CODES, isErrorCode, type ErrorCode, type ResponseCode } from '@relink/contract';
