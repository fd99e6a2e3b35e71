import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

/** A browser asset Relink serves: its bytes, content type and a strong ETag. */
export interface Asset {
  body: string;
  type: string;
  etag: string;
}

const SOURCES = {
  /** connect.js: `window.Connect`. */
  'connect.js': 'browser.ts',
  /** The widget page's script. */
  'widget.js': 'widget/main.ts',
  /** The /connect/demo page's script. */
  'demo.js': 'demo.ts',
} as const;

export type AssetName = keyof typeof SOURCES | 'widget.css';

const built = new Map<AssetName, Promise<Asset>>();

/** The browser sources: beside this file when it runs from src/ (tsx), in ../src/ when it runs compiled from dist/. */
const SOURCE_DIR = new URL(/\/dist\/[^/]*$/.test(new URL(import.meta.url).pathname) ? '../src/' : './', import.meta.url);

/**
 * Builds an asset once per process with esbuild (one file, minified, no source outside this
 * package and its dependencies), so the server needs no separate build step to serve the widget.
 */
export function asset(name: AssetName): Promise<Asset> {
  let pending = built.get(name);
  if (!pending) {
    pending = make(name);
    pending.catch(() => built.delete(name));
    built.set(name, pending);
  }
  return pending;
}

async function make(name: AssetName): Promise<Asset> {
  if (name === 'widget.css') {
    const body = await readFile(new URL('./widget/widget.css', SOURCE_DIR), 'utf8');
    return { body, type: 'text/css; charset=utf-8', etag: etag(body) };
  }
  const result = await build({
    entryPoints: [new URL(`./${SOURCES[name]}`, SOURCE_DIR).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    target: ['es2020'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  const body = result.outputFiles[0]!.text;
  return { body, type: 'text/javascript; charset=utf-8', etag: etag(body) };
}

function etag(body: string) {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}
