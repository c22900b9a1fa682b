/** Flag parsers shared by several `podnet` commands (pure; errors are EFLAG). */
import { tryParseCidr } from '../util/addr.js';
import { PodnetError } from '../util/errors.js';

/** A boolean flag's value: `--flag`, `--flag=true`, `--flag=false` (as Go's flag package takes them). */
export function parseBool(flag: string, v: string | boolean | undefined): boolean {
  if (v === undefined || v === true || v === 'true' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  throw new PodnetError('EFLAG', `${flag} must be true or false, not "${String(v)}"`);
}

/** --nodeport-addresses: IPv4 CIDRs, or the single value "primary" (upstream). */
export function parseNodePortAddresses(s: string): string[] {
  const list = parseList(s);
  if (list.includes('primary')) {
    if (list.length > 1) throw new PodnetError('EFLAG', '--nodeport-addresses: "primary" cannot be combined with CIDRs');
    return list;
  }
  for (const c of list) if (tryParseCidr(c)?.ip.family !== 4) throw new PodnetError('EFLAG', `--nodeport-addresses: "${c}" is not an IPv4 CIDR`);
  return list;
}

/** A comma-separated list flag, blanks dropped. */
export const parseList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

/** A count flag that also takes `auto` (`auto` stands for the given number). */
export function parseCount(flag: string, s: string, auto: number): number {
  if (s === 'auto') return auto;
  if (!/^\d+$/.test(s)) throw new PodnetError('EFLAG', `${flag} must be a non-negative integer or "auto", not "${s}"`);
  return Number(s);
}
