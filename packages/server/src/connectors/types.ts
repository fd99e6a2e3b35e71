import type { ConnectorOutcome } from '@relink/connector-kit';

/** The connector interface is @relink/connector-kit's, re-exported whole: a bank's integration depends on the kit, never on the server. */
export type * from '@relink/connector-kit';
export { hasSandboxControls } from '@relink/connector-kit';

/**
 * What logging in as an already linked bank user can come to: the bank's answer with any
 * choice of accounts already made for the linked account, or `other_user` when the
 * credentials belong to someone whose accounts do not include it.
 */
export type LinkedOutcome = Exclude<ConnectorOutcome, { kind: 'select' }> | { kind: 'other_user'; message: string };
