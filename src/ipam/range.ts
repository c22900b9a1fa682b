/** Address ranges as the allocators take them: a CIDR string, in network form, with allocator errors. */
import { AddrError, network, parseCidr, tryParseIP, type Cidr } from '../util/addr.js';
import { AllocatorError } from './errors.js';

/** Parses `ADDRESS/PREFIX` (surrounding blanks ignored) and clears the host bits; throws AllocatorError EINVAL. */
export function parseRange(s: string): Cidr {
  try { return network(parseCidr(s.trim())); } catch (e) {
    if (e instanceof AddrError) throw new AllocatorError('EINVAL', e.message);
    throw e;
  }
}

/** True when `s` is not an IP address literal at all (as opposed to one of the wrong family or range). */
export function notAnIP(s: string): boolean { return tryParseIP(s) === undefined; }
