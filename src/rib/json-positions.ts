// A small strict JSON (RFC 8259) parser that keeps the line and column of every value, so a bad route spec file
// is rejected with `file:line:col: message` and not with a byte offset. Also refuses duplicate object keys
// (JSON.parse silently keeps the last one, which hides operator mistakes).

export type JsonNode =
  | { readonly kind: 'object'; readonly pos: JsonPos; readonly entries: readonly (readonly [JsonKey, JsonNode])[] }
  | { readonly kind: 'array'; readonly pos: JsonPos; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly pos: JsonPos; readonly value: string }
  | { readonly kind: 'number'; readonly pos: JsonPos; readonly value: number }
  | { readonly kind: 'boolean'; readonly pos: JsonPos; readonly value: boolean }
  | { readonly kind: 'null'; readonly pos: JsonPos };

export interface JsonPos {
  readonly line: number;
  readonly col: number;
}

export interface JsonKey {
  readonly value: string;
  readonly pos: JsonPos;
}

export class JsonSyntaxError extends Error {
  readonly code = 'JSON_SYNTAX' as const;
  constructor(
    readonly pos: JsonPos,
    readonly reason: string,
  ) {
    super(`${pos.line}:${pos.col}: ${reason}`);
  }
}

const MAX_DEPTH = 64;

class Parser {
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly s: string) {}

  pos(): JsonPos {
    return { line: this.line, col: this.i - this.lineStart + 1 };
  }

  fail(reason: string, at: JsonPos = this.pos()): never {
    throw new JsonSyntaxError(at, reason);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x0a) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) this.i++;
      else break;
    }
  }

  describe(): string {
    if (this.i >= this.s.length) return 'end of input';
    return JSON.stringify(this.s[this.i]);
  }

  document(): JsonNode {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = this.lineStart = 1; // tolerate a UTF-8 BOM
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected ${this.describe()} after the JSON value`);
    return v;
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const pos = this.pos();
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object(pos, depth);
      case '[':
        return this.array(pos, depth);
      case '"':
        return { kind: 'string', pos, value: this.string() };
      case 't':
      case 'f':
      case 'n':
        return this.literal(pos);
      default:
        if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) return this.number(pos);
        return this.fail(`unexpected ${this.describe()}, expected a JSON value`);
    }
  }

  object(pos: JsonPos, depth: number): JsonNode {
    this.i++;
    const entries: [JsonKey, JsonNode][] = [];
    const seen = new Map<string, JsonPos>();
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return { kind: 'object', pos, entries };
    }
    for (;;) {
      this.ws();
      const kpos = this.pos();
      if (this.s[this.i] !== '"') this.fail(`unexpected ${this.describe()}, expected a string key`);
      const key = this.string();
      const prev = seen.get(key);
      if (prev) this.fail(`duplicate key ${JSON.stringify(key)} (first at line ${prev.line})`, kpos);
      seen.set(key, kpos);
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`unexpected ${this.describe()}, expected ':'`);
      this.i++;
      this.ws();
      entries.push([{ value: key, pos: kpos }, this.value(depth + 1)]);
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return { kind: 'object', pos, entries };
      }
      this.fail(`unexpected ${this.describe()}, expected ',' or '}'`);
    }
  }

  array(pos: JsonPos, depth: number): JsonNode {
    this.i++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return { kind: 'array', pos, items };
    }
    for (;;) {
      this.ws();
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return { kind: 'array', pos, items };
      }
      this.fail(`unexpected ${this.describe()}, expected ',' or ']'`);
    }
  }

  string(): string {
    const start = this.i;
    this.i++;
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        try {
          return JSON.parse(s.slice(start, this.i)) as string;
        } catch {
          return this.fail('invalid escape in string', { line: this.line, col: start - this.lineStart + 1 });
        }
      }
      if (c === 0x5c) this.i += 2;
      else if (c < 0x20) this.fail(c === 0x0a ? 'unterminated string' : 'control character in string');
      else this.i++;
    }
    return this.fail('unterminated string');
  }

  number(pos: JsonPos): JsonNode {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) this.fail('invalid number');
    this.i += m[0].length;
    return { kind: 'number', pos, value: Number(m[0]) };
  }

  literal(pos: JsonPos): JsonNode {
    for (const [word, node] of [
      ['true', { kind: 'boolean', pos, value: true }],
      ['false', { kind: 'boolean', pos, value: false }],
      ['null', { kind: 'null', pos }],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return node;
      }
    }
    return this.fail(`unexpected ${this.describe()}, expected a JSON value`);
  }
}

/** Parses JSON text; throws JsonSyntaxError with a 1-based line and column. */
export function parseJsonWithPositions(text: string): JsonNode {
  return new Parser(text).document();
}
