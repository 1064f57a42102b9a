// Features that need socket options Node lacks (TCP-MD5 keys; BFD's TTL check): on a system where sockopt/ cannot
// set them the daemon refuses the config, at start and on reload, with one line naming why.
import type { Config } from '../config/index.js';
import { UserError } from '../base/errors.js';
import { socketOptionsUnavailable } from '../sockopt/libc.js';
import { bfdGroups, usesTcpMd5 } from './wiring.js';

/** What in the config needs socket options ('' when nothing). */
export function socketOptionUsers(config: Config): string[] {
  const users: string[] = [];
  if (usesTcpMd5(config)) users.push('TCP-MD5 passwords (bgp.neighbors / bgp.dynamic)');
  if (bfdGroups(config).size > 0) users.push('BFD (bgp.groups.*.bfd)');
  return users;
}

/** Why this config cannot run here, or undefined. Loads koffi only when the config needs it. */
export function socketOptionProblem(config: Config): string | undefined {
  const users = socketOptionUsers(config);
  if (users.length === 0) return undefined;
  const why = socketOptionsUnavailable();
  return why === undefined ? undefined : `${users.join(' and ')} configured, but ${why}`;
}

export function requireSocketOptions(config: Config): void {
  const problem = socketOptionProblem(config);
  if (problem !== undefined) throw new UserError('SOCKOPT_UNAVAILABLE', problem);
}
