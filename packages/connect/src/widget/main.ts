/// <reference lib="dom" />
import { render } from 'preact';
import { Widget } from './app.ts';
import { CONFIG_ELEMENT_ID, type WidgetConfig } from './config.ts';
import { html } from './html.ts';

const config = JSON.parse(document.getElementById(CONFIG_ELEMENT_ID)!.textContent!) as WidgetConfig;
render(html`<${Widget} config=${config} />`, document.getElementById('app')!);
