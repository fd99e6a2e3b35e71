/// <reference lib="dom" />
// The single-file build served at /connect.js: `window.Connect`, defaulting to the server it came from.
import { Connect, rememberScriptOrigin } from './index.ts';

const script = document.currentScript as HTMLScriptElement | null;
rememberScriptOrigin(script?.src ? new URL(script.src).origin : undefined);
(window as unknown as { Connect: typeof Connect }).Connect = Connect;
