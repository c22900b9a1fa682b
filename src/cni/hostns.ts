import { changeableOwnNetns, OwnNetnsError, type NetnsPath } from '../net/whereami.js';
import { CniError, ErrCode } from './types.js';

let cached: NetnsPath | undefined;

/**
 * The namespace a plugin treats as "the host" (where bridges and host-side veths go): the one it
 * was started in, as src/net/whereami names it for changes. Refuses the machine's root namespace;
 * the refusal is a CniError (IO when /proc/self/ns/net is unreadable, Internal otherwise).
 */
export function pluginHostNs(): NetnsPath {
  if (cached) return cached;
  try {
    cached = changeableOwnNetns();
  } catch (e) {
    if (!(e instanceof OwnNetnsError)) throw e;
    if (e.reason === 'unreadable') throw new CniError(ErrCode.IO, e.message, (e.cause as Error | undefined)?.message ?? '', { cause: e });
    const msg = e.reason === 'initial' ? `${e.message} (run the plugin inside a node namespace)` : e.message;
    throw new CniError(ErrCode.Internal, msg, '', { cause: e });
  }
  return cached;
}
