// YAML file → validated, frozen Config. Every problem is reported at once, one line each, as
// `file:line:col: path: message`: YAML syntax errors, unset ${VARS}, unknown keys, wrong types and values.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import { parseYamlText } from '../base/yaml-text.js';
import { decodeUtf8, InvalidUtf8Error } from '../base/utf8-text.js';
import type { z } from 'zod';
import { UserError, errorMessage } from '../base/errors.js';
import { expandEnv } from './env-expand.js';
import { configSchema, type ParsedConfig } from './schema.js';

type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends bigint | string | number | boolean | undefined | null
    ? T
    : { readonly [K in keyof T]: DeepReadonly<T[K]> };

export type Config = DeepReadonly<ParsedConfig>;

export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted path into the document, e.g. "bgp.neighbors.0.asn" ("" for the root). */
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends UserError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => ({ ...i, path: oneLine(i.path, 200), message: oneLine(i.message, 400) }));
    super('CONFIG_INVALID', lines.map(formatIssue).join('\n'));
    this.issues = lines;
  }
}

/**
 * An issue's path or message as one line: a YAML key may be a multi-line flow mapping (`? {a: 1}`) or hold control
 * characters, which would break the one-line `file:line:col: path: message` format. They are escaped (`\n`,
 * `\u0007`), and very long text is shortened.
 */
function oneLine(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x20 && c !== 0x7f && c !== 0x2028 && c !== 0x2029) out += ch;
    else out += c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.path === '' ? '(root)' : i.path}: ${i.message}`;
}

/** yaml's own default: how many nodes aliases may add while a document is converted. */
const MAX_ALIAS_COUNT = 100;

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The largest config file read. A config is written by people; a cap keeps a wrong path (a log, an image) or a
 * hostile file from costing gigabytes (a 50 MB string took 1.85 GB to parse). Route specs go in their own file.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export function loadConfig(file: string, opts: LoadOptions = {}): Config {
  let bytes: Buffer;
  try {
    bytes = readCapped(file, MAX_CONFIG_BYTES);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('CONFIG_UNREADABLE', `cannot read config ${file}: ${errorMessage(err)}`, { cause: err });
  }
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch (err) {
    if (!(err instanceof InvalidUtf8Error)) throw err;
    throw new ConfigError([{ file, line: err.line, col: err.col, path: '', message: `${err.message}: the config must be UTF-8` }]);
  }
  return parseConfig(text, file, opts);
}

/** Reads at most `limit` bytes; a larger file is a UserError (checked by size first, then by what was read). */
function readCapped(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const tooBig = (): UserError =>
      new UserError('CONFIG_TOO_LARGE', `config ${file} is larger than ${limit} bytes: is it the right file?`);
    if (fstatSync(fd).size > limit) throw tooBig();
    const buf = Buffer.alloc(limit + 1);
    let n = 0;
    for (let r = 1; r > 0 && n <= limit; n += r) r = readSync(fd, buf, n, limit + 1 - n, null);
    if (n > limit) throw tooBig();
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export function parseConfig(text: string, file = '<config>', opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const y = parseYamlText(text, { allowAliases: true });
  const { doc, at } = y;
  if (!doc || y.issues.length > 0) throw new ConfigError(y.issues.map((i) => ({ file, line: i.line, col: i.col, path: '', message: i.message })));

  const issues: ConfigIssue[] = [];

  // ${VAR} expansion on scalar values only, so positions stay exact.
  const envPaths = new Set<string>();
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const r = expandEnv(node.value, env);
      if (r.missing.length > 0) {
        const path = pathOf(ancestors, node);
        envPaths.add(path);
        for (const name of r.missing) {
          issues.push({ file, ...at(node.range?.[0]), path, message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
        }
      }
      node.value = r.value;
    },
  });

  let raw: unknown;
  try {
    // Aliases are allowed in the config, and expanded here: yaml refuses a document whose aliases expand past
    // maxAliasCount (a "billion laughs"), by throwing. That is the operator's file, not our bug: report it.
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    let first: Node | undefined;
    visit(doc, {
      Alias(_k, node) {
        first = node;
        return visit.BREAK;
      },
    });
    const where = at(first?.range?.[0]);
    const what = first && isAlias(first) ? ` (first alias *${first.source})` : '';
    throw new ConfigError([{ file, ...where, path: '', message: `aliases expand too much${what}: ${errorMessage(err)}` }]);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const iss of result.error.issues) {
      // A value emptied by a missing ${VAR} was already reported once.
      for (const ci of issueToConfigIssues(iss, doc, file, at)) if (!envPaths.has(ci.path)) issues.push(ci);
    }
  }
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ConfigError(issues);
  }
  return deepFreeze((result as { data: ParsedConfig }).data) as Config;
}

type At = (offset: number | undefined) => { line: number; col: number };

function issueToConfigIssues(iss: z.core.$ZodIssue, doc: Document, file: string, at: At): ConfigIssue[] {
  const path = iss.path.map((p) => (typeof p === 'symbol' ? p.toString() : p));
  const dotted = path.join('.');
  if (iss.code === 'unrecognized_keys') {
    const map = nodeAt(doc, path);
    return iss.keys.map((k) => {
      let offset: number | undefined = map?.range?.[0];
      if (isMap(map)) {
        const pair = map.items.find((it) => isScalar(it.key) && it.key.value === k);
        if (pair && isScalar(pair.key)) offset = pair.key.range?.[0];
      }
      return { file, ...at(offset), path: dotted === '' ? k : `${dotted}.${k}`, message: `unknown key "${k}"` };
    });
  }
  // Point at the deepest node that exists; a missing key is reported at its parent.
  let node: Node | undefined;
  let depth = path.length;
  for (; depth >= 0; depth--) {
    node = nodeAt(doc, path.slice(0, depth));
    if (node) break;
  }
  let message = iss.message;
  if (depth < path.length && iss.code === 'invalid_type') message = `missing required key "${String(path[path.length - 1])}"`;
  return [{ file, ...at(node?.range?.[0]), path: dotted, message: tidy(message) }];
}

/** Dotted path of a node from the visitor's ancestor chain. */
function pathOf(ancestors: readonly unknown[], node: unknown): string {
  const parts: string[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isSeq(parent)) parts.push(String(parent.items.indexOf(child as never)));
    else if (isPair(child) && isScalar(child.key)) parts.push(String(child.key.value));
  }
  return parts.join('.');
}

function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  if (path.length === 0) return (doc.contents ?? undefined) as Node | undefined;
  const n: unknown = doc.getIn(path, true);
  if (n && (isScalar(n) || isMap(n) || isSeq(n))) return n;
  return undefined;
}

function tidy(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
