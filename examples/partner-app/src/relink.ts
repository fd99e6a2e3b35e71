/**
 * The SDK's Partners API client, and the shapes of its answers this app renders, named once
 * (they come from `@relink/contract` through the SDK's types, never written again here).
 */
import type { ReauthStart, Relink } from '@relink/sdk';

export { Relink, RelinkError, type StepReply } from '@relink/sdk';

export type AskForInput = Extract<ReauthStart, { responseCode: 102 }>;
/** The bank's form (`{title, form}`) a 102 asks the user to fill. */
export type Ui = AskForInput['userInput'];
export type FormElement = Ui['form'][number];
/** Where a 102's answers go: `/v2/connect/reauth/login` or `/v2/connect/commit`. */
export type Next = AskForInput['next'];
export type AccountDetails = Awaited<ReturnType<Relink['accounts']['get']>>;
export type Transaction = Awaited<ReturnType<Relink['accounts']['transactions']>>['data'][number];
