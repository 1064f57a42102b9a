// Bearer-token check for the API. Writes need the token when one is configured; reads too when
// `protectReads` is set. Constant-time comparison so the token cannot be guessed byte by byte.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface AuthPolicy {
  readonly token?: string;
  readonly protectReads?: boolean;
}

export type AuthDecision = 'allow' | 'missing' | 'invalid';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function checkAuth(policy: AuthPolicy, isWrite: boolean, header: string | undefined): AuthDecision {
  if (policy.token === undefined || policy.token === '') return 'allow';
  if (!isWrite && !policy.protectReads) return 'allow';
  if (header === undefined) return 'missing';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return 'invalid';
  // Hash both sides so the comparison has equal lengths whatever the client sent.
  return timingSafeEqual(digest(m[1] as string), digest(policy.token)) ? 'allow' : 'invalid';
}
