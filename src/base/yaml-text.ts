// YAML text (JSON is YAML) → a document whose every node knows its line and column, for inputs people write: the
// config file and the route spec (file and HTTP body). Problems come back as positioned, one-line issues:
//   - syntax errors (the yaml package's own messages),
//   - duplicate keys, found in linear time (the package's own `uniqueKeys` check compares every pair of keys of a
//     mapping: quadratic, 10 s at 40k keys),
//   - nesting deeper than MAX_DEPTH brackets (the package composes nodes recursively: a stack overflow otherwise),
//   - aliases, unless allowed (they expand on conversion: a "billion laughs" document; the config may use them,
//     a route spec has no use for them).
import { isAlias, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';

export const MAX_DEPTH = 64;

export interface TextPosition {
  readonly line: number;
  readonly col: number;
}

export interface TextIssue extends TextPosition {
  readonly message: string;
}

export interface YamlText {
  /** Undefined when the text could not be read as a document at all (see issues). */
  readonly doc: Document | undefined;
  /** 1-based line and column of a source offset (1:1 when unknown). */
  at(offset: number | undefined): TextPosition;
  /** Where a node starts. */
  pos(node: Node | null | undefined): TextPosition;
  /** Everything wrong with the text, in source order; empty when the document is usable. */
  readonly issues: readonly TextIssue[];
}

export function parseYamlText(text: string, opts: { readonly allowAliases?: boolean } = {}): YamlText {
  const lc = new LineCounter();
  const at = (offset: number | undefined): TextPosition => {
    if (offset === undefined) return { line: 1, col: 1 };
    const p = lc.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const deep = tooDeep(text);
  if (deep !== undefined) {
    lc.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
    return {
      doc: undefined,
      at,
      pos: (node) => at(node?.range?.[0]),
      issues: [{ ...at(deep), message: `nesting deeper than ${MAX_DEPTH} levels` }],
    };
  }
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const issues: TextIssue[] = doc.errors.map((e) => ({ ...at(e.pos[0]), message: e.message.split('\n')[0] ?? e.message }));
  if (issues.length === 0) {
    visit(doc, {
      Alias(_key, node) {
        if (opts.allowAliases === true) return;
        issues.push({ ...at(node.range?.[0]), message: `aliases (*${node.source}) are not allowed` });
      },
      Map(_key, map) {
        const seen = new Map<unknown, number | undefined>();
        for (const pair of map.items) {
          const k = isScalar(pair.key) ? pair.key.value : undefined;
          if (k === undefined || isAlias(pair.key)) continue;
          const first = seen.get(k);
          const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
          if (seen.has(k)) issues.push({ ...at(offset), message: `duplicate key ${JSON.stringify(k)} (first at line ${at(first).line})` });
          else seen.set(k, offset);
        }
      },
    });
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
  }
  return { doc, at, pos: (node) => at(node?.range?.[0]), issues };
}

/** The offset of the first bracket past MAX_DEPTH in flow style (outside quotes and comments), if any. */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      // A quoted scalar: skip to its end (YAML double quotes escape with a backslash, single quotes by doubling).
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (c === 0x22 && d === 0x5c) i++;
        else if (d === c) {
          if (c === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
          else break;
        }
      }
    } else if (c === 0x23 && (i === 0 || /\s/.test(text[i - 1] as string))) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
