// Placeholder until the owning issue lands. Replaced by the real command.
import { UserError } from '../errors.js';

export function checkConfigCommand(_opts: Record<string, unknown>, _args: readonly string[]): Promise<number> {
  return Promise.reject(new UserError('NOT_IMPLEMENTED', 'this command is not implemented yet'));
}
