// Edits that turn a valid YAML/JSON document into the broken ones people and attackers write: characters with
// meaning in YAML dropped in anywhere, lines duplicated or removed, anchors and aliases, tags, directives, control
// characters, truncation.
import fc from 'fast-check';

const TOKENS = [
  ':',
  ': ',
  ' ',
  '\n',
  '\n  ',
  '- ',
  '-',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '<<: *a\n',
  '!!str ',
  '!!binary ',
  '!foo ',
  '"',
  "'",
  '#',
  '# c\n',
  '${X}',
  '${X:-y}',
  '${UNSET}',
  '$${X}',
  '0x10',
  '0o17',
  '1e400',
  '-0',
  '.nan',
  'null',
  '~',
  'true',
  'yes',
  '\t',
  '\u00a0',
  '\u2028',
  '?',
  '? a\n',
  '|',
  '>-',
  '%YAML 1.2\n---\n',
  '---\n',
  '...\n',
  '\ufeff',
  '\u0000',
  '\r\n',
  '9'.repeat(30),
  '10.0.0.0/8',
  '::ffff:1.2.3.4',
  '2001:db8::/32',
  '65536',
  '4294967296',
  '1s',
  '-5ms',
  '1h1h',
];

type Edit = {
  readonly at: number;
  readonly kind: 'insert' | 'delete' | 'replace' | 'dup-line' | 'drop-line' | 'truncate';
  readonly token: string;
  readonly n: number;
};

const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'insert', 'insert', 'delete', 'replace', 'dup-line', 'drop-line', 'truncate'),
  token: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...TOKENS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) },
  ),
  n: fc.integer({ min: 1, max: 8 }),
});

function apply(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  switch (e.kind) {
    case 'insert':
      return text.slice(0, at) + e.token + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.n);
    case 'replace':
      return text.slice(0, at) + e.token + text.slice(at + e.token.length);
    case 'truncate':
      return text.slice(0, at);
    case 'dup-line':
    case 'drop-line': {
      const lines = text.split('\n');
      const i = e.at % lines.length;
      if (e.kind === 'dup-line') lines.splice(i, 0, lines[i] ?? '');
      else lines.splice(i, 1);
      return lines.join('\n');
    }
  }
}

/** `base` with 1..maxEdits random edits. */
export function mutatedText(base: string, maxEdits = 4): fc.Arbitrary<string> {
  return fc.array(editArb, { minLength: 1, maxLength: maxEdits }).map((edits) => edits.reduce(apply, base));
}

/** `base` as UTF-8 with a few bytes overwritten (often invalid UTF-8). */
export function mutatedBytes(base: string): fc.Arbitrary<Buffer> {
  const b = Buffer.from(base, 'utf8');
  return fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    const out = Buffer.from(b);
    for (const [i, v] of edits) out[i % out.length] = v;
    return out;
  });
}
