// ${VAR} and ${VAR:-default} references in YAML scalar strings expand at load time. `$${` escapes a literal
// `${`. A reference to an unset variable without a default is an error at that position.

export interface ExpandResult {
  readonly value: string;
  readonly missing: readonly string[];
}

const REF_RE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>): ExpandResult {
  const missing: string[] = [];
  const value = text.replace(REF_RE, (whole, name: string | undefined, def: string | undefined) => {
    if (whole === '$${') return '${';
    const v = env[name as string];
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def;
    missing.push(name as string);
    return '';
  });
  return { value, missing };
}
