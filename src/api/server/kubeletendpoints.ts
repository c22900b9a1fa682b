/**
 * Where each node's kubelet API listens, as the node itself registered it.
 *
 * The rule: the API server connects (for pods/log and pods/exec) only to a unix socket that
 *  1. was reported by the node's own credential: a write of `nodes/<n>/status` (or the create of
 *     Node `<n>`) authenticated as `system:node:<n>` in group `system:nodes`, carrying
 *     `status.daemonEndpoints.kubeletEndpoint.Path`; writes of that field by anyone else (an admin,
 *     another node, a controller) are stored in the Node but never used; annotations are ignored;
 *  2. lies under the configured kubelet socket root (`--kubelet-socket-root`, the lab's
 *     /run/podnet/<lab>): an absolute, normalized path inside the root, checked again with symlinks
 *     resolved and as an existing socket each time before connecting.
 * Registrations are kept outside the API's keyspace (`/podnet/kubelet-endpoints/<node>`), so no
 * API request can write them, and survive an API server restart.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, normalize, relative, sep } from 'node:path';
import { StoreError, type Store } from '../storage/store.js';
import { ApiStatusError, badRequest } from './status.js';

export const KUBELET_ENDPOINTS_PREFIX = '/podnet/kubelet-endpoints/';

/** The kubelet socket a Node status carries (podnet's extension of DaemonEndpoint: `Path`). */
export function reportedSocket(node: { status?: unknown }): string | undefined {
  const st = node.status as { daemonEndpoints?: { kubeletEndpoint?: { Path?: unknown } } } | undefined;
  const p = st?.daemonEndpoints?.kubeletEndpoint?.Path;
  return typeof p === 'string' && p ? p : undefined;
}

/** True when `user` is the node `nodeName` itself (upstream's node identity: system:node:<name> in system:nodes). */
export function isNodeItself(user: { name: string; groups: string[] } | undefined, nodeName: string): boolean {
  return !!user && user.name === `system:node:${nodeName}` && user.groups.includes('system:nodes');
}

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** Why `path` may not be a kubelet socket under `root`, or undefined when it may (lexical check). */
export function socketPathProblem(root: string, path: string): string | undefined {
  if (!isAbsolute(path)) return `kubelet socket ${JSON.stringify(path)} is not an absolute path`;
  if (normalize(path) !== path || path.split(sep).includes('..')) return `kubelet socket ${JSON.stringify(path)} is not a normalized path`;
  if (!inside(normalize(root), path)) return `kubelet socket ${path} is outside the kubelet socket root ${root}`;
  return undefined;
}

/** The same check on the filesystem: symlinks resolved, and the path must be a socket now. */
export function socketOnDiskProblem(root: string, path: string): string | undefined {
  const lexical = socketPathProblem(root, path);
  if (lexical) return lexical;
  try {
    const realRoot = realpathSync(root);
    const realDir = realpathSync(dirname(path));
    if (realDir !== realRoot && !inside(realRoot, realDir)) return `kubelet socket ${path} resolves outside the kubelet socket root ${root}`;
    if (!lstatSync(path).isSocket()) return `kubelet socket ${path} is not a socket`;
  } catch (e) {
    return `kubelet socket ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  return undefined;
}

export class KubeletEndpoints {
  private readonly cache = new Map<string, string>();

  constructor(private readonly store: Store, readonly root: string, private readonly log?: { warn(o: object, msg: string): void }) {}

  /**
   * Called after every successful write of a Node: records the node's kubelet socket when the
   * writer is that node and the path obeys the root rule. Returns what it did (for logs and tests).
   */
  async noteNodeWrite(user: { name: string; groups: string[] } | undefined, node: { metadata: { name?: string }; status?: unknown }): Promise<'recorded' | 'unchanged' | 'ignored'> {
    const name = node.metadata.name;
    const path = reportedSocket(node);
    if (!name || !path) return 'ignored';
    if (!isNodeItself(user, name)) return 'ignored';
    const problem = socketPathProblem(this.root, path);
    if (problem) { this.log?.warn({ node: name, problem }, 'kubelet endpoint refused'); return 'ignored'; }
    if (this.cache.get(name) === path) return 'unchanged';
    const key = KUBELET_ENDPOINTS_PREFIX + name;
    const value = new TextEncoder().encode(JSON.stringify({ node: name, path }));
    for (let attempt = 0; ; attempt++) {
      try {
        const cur = await this.store.get(key);
        if (cur) await this.store.update(key, value, cur.modRevision); else await this.store.create(key, value);
        break;
      } catch (e) {
        if (attempt < 3 && e instanceof StoreError && (e.code === 'EEXIST' || e.code === 'ECONFLICT')) continue;
        throw e;
      }
    }
    this.cache.set(name, path);
    return 'recorded';
  }

  /** The registered kubelet socket of `nodeName`, checked on disk; a Status error says why there is none. */
  async socketFor(nodeName: string): Promise<string> {
    let path = this.cache.get(nodeName);
    if (!path) {
      const e = await this.store.get(KUBELET_ENDPOINTS_PREFIX + nodeName);
      if (e) {
        path = (JSON.parse(new TextDecoder().decode(e.value)) as { path: string }).path;
        this.cache.set(nodeName, path);
      }
    }
    if (!path) throw badRequest(`node ${nodeName} has not registered a kubelet endpoint with its own credentials`);
    const problem = socketOnDiskProblem(this.root, path);
    if (problem) throw new ApiStatusError(500, 'InternalError', `Internal error occurred: ${problem}`, { causes: [{ message: problem }] });
    return path;
  }
}
