// The architecture as code (docs/architecture.md): the layer table is a one-way graph, every source file belongs
// to a layer, the lint rule refuses an import against it (shown with deliberate violations), and no two files
// declare a class, interface or type of the same name.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { LAYERS, layerCycle, layerOf, layersPlugin } from '../../eslint/layers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir = join(root, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [relative(root, join(dir, e.name))] : [],
  );
}

async function lintAs(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { architecture: layersPlugin as never },
        rules: { 'architecture/layers': 'error' },
      },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('layers', () => {
  it('form a one-way graph: no layer reaches one that lists it', () => {
    expect(layerCycle()).toBeUndefined();
    const broken = LAYERS.map((l) => (l.name === 'net' ? { ...l, may: [...l.may, 'rib'] } : l));
    expect(layerCycle(broken)).toEqual(['net', 'rib', 'net']);
  });

  it('cover every source file (a new folder needs its place in the table)', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it('refuse an import against the table, in every form, and allow one that follows it', async () => {
    expect(
      await lintAs('src/bgp/wire/fixture.ts', "import { RouteSpec } from '../../rib/route-spec.js';\nexport const x = RouteSpec;\n"),
    ).toEqual(['bgp/wire may not import rib (docs/architecture.md: bgp/wire may import base, net)']);
    expect(await lintAs('src/vpc/fixture.ts', "export type { ApiBackend } from '../api/backend.js';\n")).toEqual([
      'vpc may not import api (docs/architecture.md: vpc may import base, net, aggregate)',
    ]);
    expect(await lintAs('src/rib/fixture.ts', "export const load = () => import('../daemon/assemble.js');\n")).toHaveLength(1);
    expect(
      await lintAs('src/rib/fixture.ts', "import { parsePrefix } from '../net/prefix.js';\nimport { x } from './route-spec.js';\n"),
    ).toEqual([]);
    // Tests and scripts are not layered.
    expect(await lintAs('test/rib/fixture.ts', "import { Daemon } from '../../src/daemon/daemon.js';\n")).toEqual([]);
  });
});

describe('names', () => {
  it('no two source files declare an exported class, interface or type of the same name', () => {
    const where = new Map<string, string[]>();
    for (const f of sourceFiles()) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|enum) ([A-Za-z0-9_]+)/gm)) {
        const name = m[1] as string;
        where.set(name, [...(where.get(name) ?? []), f]);
      }
    }
    expect([...where].filter(([, files]) => files.length > 1)).toEqual([]);
  });
});
