import { AsyncLocalStorage } from 'node:async_hooks';
import { changeableOwnNetns, netnsChangeable, OwnNetnsError, type NetnsPath } from '../net/whereami.js';
import { CniError, ErrCode } from './types.js';

let cached: NetnsPath | undefined;

/** The host namespace of plugin calls made inside withPluginHostNs (one agent process serving many nodes). */
const scoped = new AsyncLocalStorage<NetnsPath>();

/**
 * Runs `fn` (a plugin call made in this process) with `ns` as the plugins' host namespace, instead of
 * the process's own: the shared agent mode (src/node/multinode.ts) serves several nodes from one
 * process, each node's CNI calls scoped to its node netns. Refuses the machine's root namespace.
 */
export function withPluginHostNs<T>(ns: NetnsPath, fn: () => T): T {
  if (!netnsChangeable(ns)) throw new CniError(ErrCode.Internal, `the host namespace ${ns} is the machine's own (run the plugin inside a node namespace)`);
  return scoped.run(ns, fn);
}

/**
 * The namespace a plugin treats as "the host" (where bridges and host-side veths go): the one it
 * was started in, as src/net/whereami names it for changes. Refuses the machine's root namespace;
 * the refusal is a CniError (IO when /proc/self/ns/net is unreadable, Internal otherwise).
 */
export function pluginHostNs(): NetnsPath {
  const inScope = scoped.getStore();
  if (inScope) return inScope;
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
