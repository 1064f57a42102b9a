// The layers of src/ (docs/architecture.md) and the lint rule that holds the code to them: a module may import
// only itself and the modules it lists. The list is a one-way graph, lowest first: no layer may reach one that
// lists it, so no import cycle between modules can exist. Tests and scripts are not layered.
import { dirname, relative, resolve, sep } from 'node:path';

/** Module → where its files are, and what it may import besides itself. Most specific paths first. */
export const LAYERS = [
  { name: 'base', files: ['src/base/'], may: [] },
  { name: 'net', files: ['src/net/'], may: ['base'] },
  { name: 'sockopt', files: ['src/sockopt/'], may: ['base', 'net'] },
  { name: 'bgp/wire', files: ['src/bgp/wire/'], may: ['base', 'net'] },
  { name: 'bgp/events', files: ['src/bgp/events.ts'], may: ['net'] },
  { name: 'bgp/session', files: ['src/bgp/session/'], may: ['base', 'net', 'sockopt', 'bgp/wire', 'bgp/events'] },
  {
    name: 'bgp/speaker',
    files: ['src/bgp/speaker.ts', 'src/bgp/speaker-metrics.ts'],
    may: ['base', 'net', 'bgp/wire', 'bgp/events', 'bgp/session'],
  },
  { name: 'config', files: ['src/config/'], may: ['base', 'net'] },
  { name: 'aggregate', files: ['src/aggregate/'], may: ['base', 'net'] },
  { name: 'health', files: ['src/health/'], may: ['base', 'net'] },
  { name: 'bfd', files: ['src/bfd/'], may: ['base', 'net', 'sockopt'] },
  { name: 'policy', files: ['src/policy/'], may: ['base', 'net', 'bgp/events'] },
  { name: 'rib', files: ['src/rib/'], may: ['base', 'net', 'bgp/events', 'policy'] },
  { name: 'vpc', files: ['src/vpc/'], may: ['base', 'net', 'aggregate'] },
  { name: 'api', files: ['src/api/'], may: ['base', 'net', 'rib', 'vpc'] },
  { name: 'ha', files: ['src/ha/'], may: ['base', 'net'] },
  {
    name: 'daemon',
    files: ['src/daemon/'],
    may: [
      'base',
      'net',
      'sockopt',
      'bgp/wire',
      'bgp/events',
      'bgp/session',
      'bgp/speaker',
      'config',
      'aggregate',
      'health',
      'bfd',
      'policy',
      'rib',
      'vpc',
      'api',
      'ha',
    ],
  },
  { name: 'sim', files: ['src/sim/'], may: ['base', 'net', 'bgp/wire'] },
  { name: 'demo', files: ['src/demo/'], may: ['base', 'net', 'config', 'vpc', 'api', 'daemon', 'sim'] },
  {
    name: 'cli',
    files: ['src/cli/', 'src/cli.ts'],
    may: [
      'base',
      'net',
      'sockopt',
      'bgp/wire',
      'bgp/events',
      'bgp/session',
      'bgp/speaker',
      'config',
      'aggregate',
      'health',
      'bfd',
      'policy',
      'rib',
      'vpc',
      'api',
      'ha',
      'daemon',
      'sim',
      'demo',
    ],
  },
];

/** The layer of a repository-relative path ('src/rib/route-spec.ts'), or undefined outside src/. */
export function layerOf(path) {
  const p = path.split(sep).join('/');
  return LAYERS.find((l) => l.files.some((f) => (f.endsWith('/') ? p.startsWith(f) : p === f)));
}

/** The first cycle in the allow-lists (names), or undefined: the table itself must be a one-way graph. */
export function layerCycle(layers = LAYERS) {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const state = new Map();
  const path = [];
  const visit = (name) => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    path.push(name);
    for (const dep of byName.get(name)?.may ?? []) {
      const c = visit(dep);
      if (c) return c;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const l of layers) {
    const c = visit(l.name);
    if (c) return c;
  }
  return undefined;
}

function check(context, node) {
  const spec = node.source?.value;
  if (typeof spec !== 'string' || !spec.startsWith('.')) return;
  const root = context.cwd;
  const from = relative(root, context.filename);
  const layer = layerOf(from);
  if (!layer) return;
  const target = relative(root, resolve(dirname(context.filename), spec)).replace(/\.js$/, '.ts');
  const to = layerOf(target);
  if (!to || to === layer || layer.may.includes(to.name)) return;
  context.report({
    node: node.source,
    messageId: 'forbidden',
    data: { from: layer.name, to: to.name, may: layer.may.join(', ') || 'nothing else' },
  });
}

export const layersPlugin = {
  rules: {
    layers: {
      meta: {
        type: 'problem',
        docs: { description: 'imports follow the layers of docs/architecture.md' },
        messages: { forbidden: '{{from}} may not import {{to}} (docs/architecture.md: {{from}} may import {{may}})' },
        schema: [],
      },
      create(context) {
        const visit = (node) => check(context, node);
        return { ImportDeclaration: visit, ExportNamedDeclaration: visit, ExportAllDeclaration: visit, ImportExpression: visit };
      },
    },
  },
};
