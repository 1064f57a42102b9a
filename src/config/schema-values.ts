// The value types the configuration schema is made of: durations with units, canonical CIDRs, addresses, AS
// numbers and ranges, communities, prefix-length bounds. Each refuses bad input with a message for file:line:col.
import { z } from 'zod';
import { parseDuration } from '../base/duration.js';
import { formatAddress, parseAddress } from '../net/address.js';
import { parsePrefix, type Prefix } from '../net/prefix.js';
import { errorMessage } from '../base/errors.js';

export const duration = (opts: { min?: number; max?: number } = {}) =>
  z.string().transform((s, ctx): number => {
    let ms: number;
    try {
      ms = parseDuration(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: errorMessage(err) });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) ctx.addIssue({ code: 'custom', message: `must be at least ${opts.min}ms` });
    if (opts.max !== undefined && ms > opts.max) ctx.addIssue({ code: 'custom', message: `must be at most ${opts.max}ms` });
    return ms;
  });

export const cidr = z.string().transform((s, ctx): Prefix => {
  try {
    return parsePrefix(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: errorMessage(err) });
    return z.NEVER;
  }
});

export const ipAddress = z.string().transform((s, ctx): string => {
  try {
    return formatAddress(parseAddress(s));
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: errorMessage(err) });
    return z.NEVER;
  }
});

export const ipv4Address = ipAddress.refine((s) => !s.includes(':'), 'must be an IPv4 address (dotted quad)');

export const asn = z.number().int().min(1).max(4294967295);
export const port = z.number().int().min(1).max(65535);
export const portOrZero = z.number().int().min(0).max(65535);

/** "65010-65020" or 65001 → an inclusive range. */
export const asnRange = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const m = typeof v === 'number' ? [String(v), String(v), String(v)] : /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(v);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || !Number.isInteger(min) || min < 1 || max > 4294967295 || min > max) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not an ASN (1..4294967295) or a range like "65010-65020"` });
    return z.NEVER;
  }
  return { min, max };
});

export const community = z.string().regex(/^\d{1,5}:\d{1,5}$/, 'must be a community like "65000:100"');

export const lengthBounds = (bits: number, defMin: number) =>
  z
    .strictObject({
      min: z.number().int().min(0).max(bits).default(defMin),
      max: z.number().int().min(0).max(bits).default(bits),
    })
    .refine((b) => b.min <= b.max, 'min must not exceed max')
    .prefault({})
