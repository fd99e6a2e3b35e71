import type { WidgetConfig } from '@relink/connect/widget-config';
import { CONFIG_ELEMENT_ID } from '@relink/connect/widget-config';

/**
 * The widget page: a shell whose script renders the screens from the embedded configuration.
 * Only this server's own script and stylesheet load; the configuration is inert JSON.
 */
export function widgetPage(config: WidgetConfig): string {
  const json = JSON.stringify(config)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(config.appName)} · ${config.scope === 'reauth' ? 'Reconnect' : 'Link'} your bank account</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/connect/widget.css">
<script type="application/json" id="${CONFIG_ELEMENT_ID}">${json}</script>
<script defer src="/connect/widget.js"></script>
</head>
<body class="${config.mode}">
<div id="app"><noscript>Linking a bank account needs JavaScript.</noscript></div>
</body>
</html>
`;
}

/**
 * The page's headers. `frame-ancestors` is the app's allowed origins when it has any (else any
 * page may frame it); scripts, styles and requests go only to this server.
 */
export function widgetHeaders(frameAncestors: string[] | null): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors && frameAncestors.length > 0 ? frameAncestors.join(' ') : '*'}`,
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
