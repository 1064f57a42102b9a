// Secrets kept out of the config file: `passwordFile: /run/secrets/bgp-md5` reads the value at load time (and again
// on every reload, so rotating a key is: write the file, send SIGHUP). One trailing newline is dropped, as `echo`
// and most secret stores add one. The value never appears in errors or logs.
import { readFileSync } from 'node:fs';
import { UserError } from '../base/errors.js';

export function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UserError('SECRET_FILE_UNREADABLE', `cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  return text.replace(/\r?\n$/, '');
}
