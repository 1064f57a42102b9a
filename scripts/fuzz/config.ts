// The config loader: mutated real configs (config/*.yaml), arbitrary YAML documents and mutated bytes through
// strict UTF-8 decoding and parseConfig. Every input must give a frozen Config or a ConfigError whose issues each
// have a position (line, col ≥ 1) and a one-line message: anything else would be an 'internal error' exit 2.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { decodeUtf8, InvalidUtf8Error } from '../../src/base/utf8-text.js';
import { prop, type FuzzTarget } from './target.js';
import { mutatedBytes, mutatedText } from './text-mutations.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BASES = ['full.yaml', 'minimal.yaml', 'demo.yaml'].map((f) => readFileSync(join(ROOT, 'config', f), 'utf8'));
const ENV = { BGP2VPC_TOKEN: 'x'.repeat(20), X: '10.0.0.1' };

function accepted(text: string): boolean {
  try {
    const c = parseConfig(text, 'fuzz.yaml', { env: ENV });
    return Object.isFrozen(c);
  } catch (e) {
    if (!(e instanceof ConfigError)) {
      console.error('config: unexpected error:', e, '\ninput:', JSON.stringify(text.slice(0, 2000)));
      return false;
    }
    const ok = e.issues.length > 0 && e.issues.every((i) => i.line >= 1 && i.col >= 1 && i.message.length > 0 && !i.message.includes('\n'));
    if (!ok) console.error('config: malformed issues:', e.issues, '\ninput:', JSON.stringify(text.slice(0, 2000)));
    return ok;
  }
}

function acceptedBytes(b: Buffer): boolean {
  let text: string;
  try {
    text = decodeUtf8(b);
  } catch (e) {
    return e instanceof InvalidUtf8Error && e.line >= 1 && e.col >= 1;
  }
  return accepted(text);
}

export const configTarget: FuzzTarget = {
  name: 'config',
  properties: [
    prop({ name: 'mutated real configs', weight: 6, arb: fc.constantFrom(...BASES).chain((b) => mutatedText(b)), check: accepted }),
    prop({
      name: 'arbitrary YAML documents',
      weight: 2,
      arb: fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.record({ cluster: fc.anything({ maxDepth: 2 }), bgp: fc.anything({ maxDepth: 2 }), vpc: fc.anything({ maxDepth: 2 }) }),
      ),
      check: (v) => accepted(stringify(v)),
    }),
    prop({ name: 'mutated bytes (UTF-8)', weight: 2, arb: fc.constantFrom(...BASES).chain(mutatedBytes), check: acceptedBytes }),
  ],
};
