#!/usr/bin/env node
// `node scripts/architecture.mjs`: draws the server's folders and the imports between them, read
// from the code by dependency-cruiser (the same resolution as `npm run lint`'s import rules), as
// a Mermaid flowchart and a table, and writes them into docs/architecture.md between its
// `architecture:begin` and `architecture:end` comments. `--check` (`npm run lint -- architecture`)
// writes nothing and exits 1 when that block is not what the code draws today.
//
// One node per top-level folder of packages/server/src; its top-level files (services.ts,
// server.ts, ...) are one node, `composition`. One arrow per pair of folders with an import
// between them, type-only imports included (dashed when every import of the pair is type-only).
// Each folder's layer comes from LAYERS below; a folder it does not name is drawn "unassigned".
import { readFileSync, writeFileSync } from 'node:fs';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import base, { EDGE } from '../.dependency-cruiser.mjs';

const root = new URL('..', import.meta.url).pathname;
const DOC = 'docs/architecture.md';
const BEGIN = '<!-- architecture:begin -->';
const END = '<!-- architecture:end -->';
const SRC = 'packages/server/src/';
const COMPOSITION = 'composition';
const UNASSIGNED = 'unassigned';

/**
 * The layers, top to bottom, and the folders in each (docs/architecture.md explains them). An
 * import may point down or sideways; one from domain code (anything but the composition files
 * and EDGE in .dependency-cruiser.mjs: `http/`, `cli/`, `routes/` files) to a higher layer is red.
 */
const LAYERS = [
  { name: 'edge', title: 'edge', folders: [COMPOSITION, 'cli', 'console', 'http'] },
  {
    name: 'features',
    title: 'features',
    folders: ['accounts', 'customers', 'health', 'insights', 'operations', 'reauth', 'sandbox', 'sessions', 'statements', 'sync', 'webhooks', 'widget'],
  },
  { name: 'domain', title: 'domain services', folders: ['apps', 'events', 'idempotency', 'institutions', 'limits', 'metrics', 'operators'] },
  { name: 'infrastructure', title: 'infrastructure', folders: ['connectors', 'db', 'vault'] },
  { name: 'foundation', title: 'foundation', folders: ['config', 'lib'] },
];
const RED = 'stroke:#d33,stroke-width:2px';
const GREY = 'stroke:#bbb';

process.chdir(root);
const check = process.argv.includes('--check');
const block = render(await readGraph());
const doc = readFileSync(DOC, 'utf8');
const begin = doc.indexOf(BEGIN);
const end = doc.indexOf(END);
if (begin < 0 || end < begin) {
  process.stderr.write(`architecture: ${DOC} has no ${BEGIN} ... ${END} block to write the diagram into\n`);
  process.exit(1);
}
const current = doc.slice(begin + BEGIN.length, end);
if (current === block) {
  process.stdout.write(`architecture: ${DOC} draws the code as it is\n`);
} else if (check) {
  process.stderr.write(`architecture: ${DOC} is stale: the server's folders, their files or the imports between them changed.\n`);
  process.stderr.write(`Run \`node scripts/architecture.mjs\` and commit ${DOC}.\n${lineDiff(current, block)}`);
  process.exit(1);
} else {
  writeFileSync(DOC, doc.slice(0, begin + BEGIN.length) + block + doc.slice(end));
  process.stdout.write(`architecture: ${DOC} redrawn\n`);
}

/** The folders (with their files) and the imports between them. Line counts are left out: any edit would make the drawing stale. */
async function readGraph() {
  const options = { ...base.options, includeOnly: `^${SRC}` };
  const { output } = await cruise([SRC], options, {}, { tsConfig: extractTSConfig(base.options.tsConfig.fileName) });
  const edgeCode = new RegExp(EDGE);
  const folders = new Map();
  const edges = new Map();
  for (const module of output.modules) {
    if (!module.source.startsWith(SRC)) continue;
    const from = folderOf(module.source);
    const folder = folders.get(from) ?? { name: from, files: [] };
    folder.files.push(module.source.slice(SRC.length));
    folders.set(from, folder);
    for (const dependency of module.dependencies) {
      if (!dependency.resolved.startsWith(SRC)) continue;
      const to = folderOf(dependency.resolved);
      if (to === from) continue;
      const key = `${from} ${to}`;
      const edge = edges.get(key) ?? { from, to, typeOnly: true, byDomain: false, against: [] };
      if (!dependency.dependencyTypes.includes('type-only')) edge.typeOnly = false;
      if (from !== COMPOSITION && !edgeCode.test(module.source)) {
        edge.byDomain = true;
        if (rank(to) < rank(from)) edge.against.push(`${module.source.slice(SRC.length)} → ${dependency.resolved.slice(SRC.length)}`);
      }
      edges.set(key, edge);
    }
  }
  for (const folder of folders.values()) folder.files.sort(compare);
  return { folders: [...folders.values()], edges: [...edges.values()] };
}

/** The Markdown between the markers: the flowchart, the table of folders, the imports against the layers. */
function render({ folders, edges }) {
  const layers = [...LAYERS.map((layer) => layer.name), UNASSIGNED];
  const byLayer = (a, b) => layers.indexOf(layerOf(a.name)) - layers.indexOf(layerOf(b.name)) || compare(a.name, b.name);
  folders.sort(byLayer);
  edges.sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  const lines = ['', '```mermaid', 'flowchart TB'];
  for (const layer of layers) {
    const members = folders.filter((folder) => layerOf(folder.name) === layer);
    if (members.length === 0) continue;
    const title = LAYERS.find((l) => l.name === layer)?.title ?? 'unassigned: give it a layer in scripts/architecture.mjs';
    lines.push(`  subgraph layer_${layer}["${title}"]`);
    for (const folder of members) lines.push(`    ${id(folder.name)}["${label(folder)}"]`);
    lines.push('  end');
  }
  for (const edge of edges) lines.push(`  ${id(edge.from)} ${edge.typeOnly ? '-.->' : '-->'} ${id(edge.to)}`);
  const indexes = (keep) => edges.flatMap((edge, index) => (keep(edge) ? [index] : []));
  const red = indexes((edge) => edge.against.length > 0);
  const grey = indexes((edge) => edge.against.length === 0 && (!edge.byDomain || layerOf(edge.to) === 'foundation'));
  if (grey.length > 0) lines.push(`  linkStyle ${grey.join(',')} ${GREY}`);
  if (red.length > 0) lines.push(`  linkStyle ${red.join(',')} ${RED}`);
  const shown = layers.filter((layer) => folders.some((folder) => layerOf(folder.name) === layer));
  lines.push(`  ${shown.map((layer) => `layer_${layer}`).join(' ~~~ ')}`);
  const unassigned = folders.filter((folder) => layerOf(folder.name) === UNASSIGNED);
  if (unassigned.length > 0) {
    lines.push('  classDef unassigned fill:#fdd,stroke:#d33');
    lines.push(`  class ${unassigned.map((folder) => id(folder.name)).join(',')} unassigned`);
  }
  lines.push('```', '');
  lines.push(
    'Solid arrow: at least one import that loads code; dashed: type-only imports only. Black: imports made by domain code; ' +
      'grey: made only by edge code (`http/`, `cli/`, `routes/` files, the composition files), or into the foundation; ' +
      'red: domain code importing a folder of a higher layer. ' +
      `${folders.length} folders, ${edges.length} arrows.`,
    '',
  );
  lines.push('| layer | folder | files |', '|---|---|--:|');
  for (const folder of folders) {
    const name = folder.name === COMPOSITION ? `composition (${folder.files.join(', ')})` : `\`${folder.name}/\``;
    lines.push(`| ${layerTitle(folder.name)} | ${name} | ${folder.files.length} |`);
  }
  const total = (pick) => thousands(folders.reduce((sum, folder) => sum + pick(folder), 0));
  lines.push(`| | **all of packages/server/src** | **${total((f) => f.files.length)}** |`, '');
  const against = edges.filter((edge) => edge.against.length > 0);
  if (against.length === 0) lines.push('No import goes up a layer from domain code.');
  else {
    lines.push('Imports going up a layer from domain code (the red arrows):', '');
    for (const edge of against) {
      const pairs = [...new Set(edge.against)].sort(compare).map((pair) => `\`${pair}\``);
      lines.push(`- ${edge.from} → ${edge.to}: ${pairs.join(', ')}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

function folderOf(path) {
  const rest = path.slice(SRC.length);
  return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : COMPOSITION;
}

function layerOf(folder) {
  return LAYERS.find((layer) => layer.folders.includes(folder))?.name ?? UNASSIGNED;
}

function layerTitle(folder) {
  return LAYERS.find((layer) => layer.folders.includes(folder))?.title ?? `**${UNASSIGNED}**`;
}

/** A layer's place from the top; an unassigned folder ranks nowhere, so no import into or out of it is red. */
function rank(folder) {
  const index = LAYERS.findIndex((layer) => layer.folders.includes(folder));
  return index < 0 ? Number.NaN : index;
}

function id(folder) {
  return `f_${folder.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function label(folder) {
  return folder.name === COMPOSITION ? `composition<br/>${folder.files.join(' ')}` : `${folder.name}/`;
}

function thousands(n) {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** Code-point order: the same on every machine, whatever its locale. */
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The lines the block has and the code does not draw, and the other way round (at most 20 each). */
function lineDiff(written, drawn) {
  const had = written.split('\n');
  const now = drawn.split('\n');
  const gone = had.filter((line) => !now.includes(line)).slice(0, 20);
  const added = now.filter((line) => !had.includes(line)).slice(0, 20);
  return [...gone.map((line) => `- ${line}`), ...added.map((line) => `+ ${line}`)].join('\n') + (gone.length + added.length > 0 ? '\n' : '');
}
