/// <reference lib="dom" />
import htmModule from 'htm';
import { h } from 'preact';

// htm ships CommonJS-style types: TypeScript sees the namespace, the bundle sees the function.
const htm = ((htmModule as unknown as { default?: typeof htmModule.default }).default ?? htmModule) as typeof htmModule.default;

/** Preact with htm's tagged templates: components without a JSX build step. */
export const html = htm.bind(h);
