/**
 * "Which namespace am I in": the one place that answers it. The host's network namespace id,
 * whether this process runs in it, whether a given namespace is one podnet may change, the path
 * that names our own namespace, and the host's mount namespace (where /run/netns mounts must be
 * made to be seen from the host). The decisions are pure functions over facts read from /proc,
 * so they are unit-tested without root; the readers around them are thin.
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { PodnetError } from '../util/errors.js';

/**
 * A network namespace: a path the kernel accepts for setns(2) — `/run/netns/<name>` for named
 * namespaces, `/proc/<pid>/ns/net` for a pause process's — or 'self' for the namespace this
 * process runs in (an agent started with `ip netns exec pn-node1 podnet agent`).
 * There is deliberately no value for "the host's namespace": podnet never changes it.
 */
export type NetnsPath = string;
export const SELF: NetnsPath = 'self';

/** The inode the kernel gives the initial network namespace (PROC_NET_INIT_INO, stable since Linux 3.8). */
export const INIT_NETNS_ID = 'net:[4026531833]';

const NAMED_DIR = '/run/netns';

export class HostNamespaceError extends PodnetError {
  constructor(what: string) { super('EHOSTNS', `refusing to ${what} in the host's root network namespace`); }
}

/**
 * Our own namespace cannot be used as one to change: `unreadable` (/proc/self/ns/net), `initial`
 * (it is the kernel's initial namespace) or `host` (it is PID 1's).
 */
export class OwnNetnsError extends PodnetError {
  constructor(readonly reason: 'unreadable' | 'initial' | 'host', message: string, options?: { cause?: unknown }) {
    super('EOWNNETNS', message, options);
  }
}

// ───────────────────────────── pure decisions ─────────────────────────────

/** Facts about namespaces, as read from /proc (undefined: could not be read). */
export interface NetnsFacts {
  /** The host's namespace id (`net:[inode]`). */
  host?: string;
  /** This process's namespace id. */
  own?: string;
}

/** True when we run in the host's namespace, or when that cannot be told (fail safe). */
export function isInHost(f: NetnsFacts): boolean {
  return f.host === undefined || f.own === undefined || f.own === f.host;
}

/**
 * May a command change `ns`? Never the host's namespace; SELF only outside it; a path only when
 * the host's id is known and the path's id (`target`, undefined when unreadable) differs from it.
 */
export function mayChangeNetns(ns: NetnsPath, f: NetnsFacts & { target?: string }): boolean {
  if (!ns) return false;
  if (ns === SELF) return !isInHost(f);
  if (f.host === undefined) return false;
  return f.target !== f.host;
}

/**
 * The namespace a process treats as "its own side" when it changes it (a CNI plugin's host side):
 * refuses the initial namespace and PID 1's; names it SELF, or by /proc/<pid>/ns/net when SELF
 * would be refused (the host's id cannot be told apart from ours).
 */
export function ownChangeableNetns(f: { own?: string; pid1?: string; inHost: boolean; pid: number }): NetnsPath {
  if (f.own === undefined) throw new OwnNetnsError('unreadable', 'cannot read /proc/self/ns/net');
  if (f.own === INIT_NETNS_ID) throw new OwnNetnsError('initial', "refusing to change the host's root network namespace");
  if (f.pid1 !== undefined && f.pid1 === f.own) throw new OwnNetnsError('host', "refusing to change the host's network namespace");
  return f.inHost ? procNetnsPath(f.pid) : SELF;
}

/** The entry of `entries` that is the same namespace file as `own` (same inode and device). */
export function pickNamedNetns(own: { ino: number; dev: number }, entries: readonly { path: string; ino: number; dev: number }[]): string | undefined {
  return entries.find((e) => e.ino === own.ino && e.dev === own.dev)?.path;
}

/** The mount namespace to enter to act as the host does: PID 1's, when ours differs from it. */
export function mountNsToEnter(own: string | undefined, pid1: string | undefined): string | undefined {
  return own && pid1 && own !== pid1 ? '/proc/1/ns/mnt' : undefined;
}

// ───────────────────────────── readers ─────────────────────────────

function readLink(p: string): string | undefined { try { return readlinkSync(p); } catch { return undefined; } }

function procNetnsPath(pid: number): NetnsPath { return `/proc/${pid}/ns/net`; }

/** The network namespace id of a process (`net:[inode]`); undefined when unreadable or gone. */
export function netnsIdOfPid(pid: number | 'self'): string | undefined { return readLink(`/proc/${pid}/ns/net`); }

/** This process's network namespace id. */
export function ownNetnsId(): string | undefined { return netnsIdOfPid('self'); }

/**
 * The id of the namespace a path names: a /proc/…/ns/net link, or a bind-mounted nsfs file
 * (/run/netns/<name>, not a symlink: its inode). Undefined when neither can be read.
 */
export function netnsIdOfPath(path: string): string | undefined {
  const link = readLink(path);
  if (link !== undefined) return link;
  try { return `net:[${statSync(path).ino}]`; } catch { return undefined; }
}

/**
 * The host's (initial) network namespace, as `net:[inode]`. PID 1's link is not always readable
 * (some sandboxes deny it even to root); kernel threads such as kthreadd (PID 2) always live in the
 * initial namespace, so they are asked next. Undefined when neither can be read.
 */
export function hostNetnsId(): string | undefined {
  return netnsIdOfPid(1) ?? netnsIdOfPid(2);
}

/** True when this process runs in the host's network namespace (or when that cannot be told: fail safe). */
export function inHostNetns(): boolean {
  return isInHost({ host: hostNetnsId(), own: ownNetnsId() });
}

/** True when commands may change `ns` (see mayChangeNetns). */
export function netnsChangeable(ns: NetnsPath): boolean {
  if (!ns) return false;
  if (ns === SELF) return mayChangeNetns(ns, { host: hostNetnsId(), own: ownNetnsId() });
  return mayChangeNetns(ns, { host: hostNetnsId(), target: netnsIdOfPath(ns) });
}

/** Our own namespace for commands that change it (a CNI plugin's host side); throws OwnNetnsError. */
export function changeableOwnNetns(): NetnsPath {
  let own: string;
  try { own = readlinkSync('/proc/self/ns/net'); } catch (e) {
    throw new OwnNetnsError('unreadable', 'cannot read /proc/self/ns/net', { cause: e });
  }
  return ownChangeableNetns({ own, pid1: netnsIdOfPid(1), inHost: inHostNetns(), pid: process.pid });
}

/**
 * The named namespace (`/run/netns/<name>`) this process runs in, or SELF when it has no name.
 * `ip netns exec pn-node1 podnet agent` gives the agent an explicit, checkable path: SELF's host guard
 * compares with /proc/1/ns/net, which can be unreadable inside a sandbox (then SELF is always refused).
 */
export function ownNetnsPath(dir = NAMED_DIR): NetnsPath {
  try {
    const me = statSync('/proc/self/ns/net');
    const entries: { path: string; ino: number; dev: number }[] = [];
    for (const name of readdirSync(dir)) {
      try { const st = statSync(`${dir}/${name}`); entries.push({ path: `${dir}/${name}`, ino: st.ino, dev: st.dev }); } catch { /* vanished */ }
    }
    return pickNamedNetns(me, entries) ?? SELF;
  } catch { return SELF; }
}

/**
 * The host's mount namespace, when this process runs in another one. An agent started with
 * `ip netns exec NODE …` runs in a private (slave) mount namespace, so a netns bind mount made
 * there is invisible to the host's shell (`ip netns identify PID` would fail); such mounts are made
 * in PID 1's mount namespace, from where they propagate (shared /run/netns) back into ours.
 * Undefined when we share PID 1's (or either cannot be read).
 */
export function hostMountNs(): string | undefined {
  return mountNsToEnter(readLink('/proc/self/ns/mnt'), readLink('/proc/1/ns/mnt'));
}

/** Pids of the processes whose network namespace is `id` (`net:[inode]`), never this process. */
export function pidsInNetnsId(id: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    if (readLink(`/proc/${d}/ns/net`) === id) out.push(Number(d));
  }
  return out;
}
