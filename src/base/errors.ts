// Error base classes. Every error the program raises on purpose carries a literal `code`.
// A UserError is the operator's to fix (bad config, bad file, bad flag): the CLI prints its message on one line
// and exits 1, never a stack trace.

export class Bgp2vpcError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class UserError extends Bgp2vpcError {}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
