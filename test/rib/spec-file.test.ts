import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecFileWatcher, loadSpecFile } from '../../src/rib/spec-file.js';
import type { SpecEntry } from '../../src/rib/spec-format.js';
import { formatRouteSpec } from '../../src/rib/spec-format.js';

/** Waits for a condition with a deadline (real I/O: fs.watch and the poll). */
async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('route spec file watcher', () => {
  let dir: string;
  let file: string;
  let watcher: SpecFileWatcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bgp2vpc-spec-'));
    file = join(dir, 'route-spec.json');
  });
  afterEach(async () => {
    watcher?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads, reloads on change, rejects a bad file with file:line:col and keeps the last good spec', async () => {
    await writeFile(file, '{"10.55.0.0/16": ["10.0.0.5"]}\n');
    const specs: Record<string, string[]>[] = [];
    const errors: string[] = [];
    watcher = new SpecFileWatcher(
      { path: file, pollMs: 200, debounceMs: 20 },
      { onSpec: (e: readonly SpecEntry[]) => specs.push(formatRouteSpec(e)), onError: (e) => errors.push(e.message) },
    );
    await watcher.start();
    expect(specs).toEqual([{ '10.55.0.0/16': ['10.0.0.5'] }]);

    await writeFile(file, '{\n  "10.55.0.0/16": ["10.0.0.5", "10.0.0.6"]\n}\n');
    await until(() => specs.length === 2);
    expect(specs[1]).toEqual({ '10.55.0.0/16': ['10.0.0.5', '10.0.0.6'] });

    await writeFile(file, '{\n  "10.55.0.0/16": ["10.0.0.5",\n    "10.0.0.x"]\n}\n');
    await until(() => errors.length >= 1);
    expect(errors[0]).toBe(`${file}:3:5: host "10.0.0.x" of 10.55.0.0/16 is not an IP address`);
    expect(specs).toHaveLength(2);

    // Editors replace by rename: still seen.
    await writeFile(join(dir, 'tmp'), '{"10.66.0.0/16": []}');
    await rename(join(dir, 'tmp'), file);
    await until(() => specs.length === 3);
    expect(specs[2]).toEqual({ '10.66.0.0/16': [] });
  });

  it('follows a Kubernetes ConfigMap style symlink swap', async () => {
    const { mkdir, symlink } = await import('node:fs/promises');
    await mkdir(join(dir, 'v1'));
    await mkdir(join(dir, 'v2'));
    await writeFile(join(dir, 'v1', 'spec.json'), '{"10.55.0.0/16": ["10.0.0.5"]}');
    await writeFile(join(dir, 'v2', 'spec.json'), '{"10.55.0.0/16": ["10.0.0.6"]}');
    await symlink('v1', join(dir, '..data'));
    await symlink(join('..data', 'spec.json'), join(dir, 'spec.json'));
    const specs: Record<string, string[]>[] = [];
    watcher = new SpecFileWatcher(
      { path: join(dir, 'spec.json'), pollMs: 10_000, debounceMs: 20 },
      { onSpec: (e) => specs.push(formatRouteSpec(e)) },
    );
    await watcher.start();
    await symlink('v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await until(() => specs.length === 2);
    expect(specs[1]).toEqual({ '10.55.0.0/16': ['10.0.0.6'] });
  });

  it('refuses to start on a missing or bad file', async () => {
    await expect(loadSpecFile(file)).rejects.toMatchObject({ code: 'ROUTE_SPEC_FILE' });
    await writeFile(file, '{"10.55.0.0/16": ["10.0.0.5"]');
    watcher = new SpecFileWatcher({ path: file }, { onSpec: () => undefined });
    await expect(watcher.start()).rejects.toMatchObject({
      code: 'BAD_ROUTE_SPEC',
      message: `${file}:1:30: invalid JSON: Flow map must end with a }`,
    });
    // Invalid UTF-8 is refused where it is, not read as U+FFFD.
    await writeFile(file, Buffer.concat([Buffer.from('{"10.55.0.0/16":\n ["10.0.0.5'), Buffer.from([0xc3, 0x28]), Buffer.from('"]}')]));
    await expect(loadSpecFile(file)).rejects.toMatchObject({
      code: 'ROUTE_SPEC_FILE',
      message: `${file}:2:12: invalid UTF-8 (byte 0xc3 at offset 28)`,
    });
  });
});
