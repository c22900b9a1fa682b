import { CniError, ErrCode, type NetConf } from '../types.js';
import { atLeast, parseResult } from '../version.js';
import { execPlugin, findPlugin, runOwnPluginInProcess } from '../invoke.js';
import { withPluginHostNs } from '../hostns.js';
import { loadDefaultNetwork, loadNetworkByName, parseConfList, type NetworkConfigList } from './conf.js';
import { ResultCache, type CacheEntry } from './cache.js';

export { loadDefaultNetwork, loadNetworkByName, parseConfList, wrapConf, loadConfFile, type NetworkConfigList } from './conf.js';
export { ResultCache, type CacheEntry } from './cache.js';

export { PODNET_CNI_BIN_DIR, PODNET_CNI_FAST_DIR } from '../bindir.js';

export interface CniRuntimeOptions {
  /** Directory holding the node's *.conflist / *.conf (like /etc/cni/net.d). */
  confDir: string;
  /** Where plugin executables are looked up (CNI_PATH). */
  binDirs: string[];
  /** libcni cache dir (results/ goes under it), like /var/lib/cni. */
  cacheDir: string;
  /** Network namespace to run the plugins in (the node's); default: the caller's own. */
  netns?: string;
  /**
   * The node namespace podnet's in-process plugins treat as the host (one process serving many
   * nodes: src/node/multinode.ts); exec'd plugins run inside it. Default: the process's own.
   */
  hostNetns?: string;
  /** Per plugin call. */
  timeoutMs?: number;
  /** Use the config list with this `name` instead of the lowest-named file (cnitool's NAME). */
  networkName?: string;
  /** Extra environment for every plugin call (e.g. PODNET_CNI_SOCKET for the thin clients). */
  env?: Readonly<Record<string, string>>;
}

export interface PortMappingArg { hostPort: number; containerPort: number; protocol?: 'tcp' | 'udp' | 'sctp'; hostIP?: string }

/** One pod attachment, as the kubelet knows it. */
export interface PodAttachment {
  containerId: string;
  netnsPath: string;
  ifName: string;
  podName: string;
  podNamespace: string;
  podUid: string;
  portMappings?: PortMappingArg[];
  /** Extra capability args (dns, bandwidth, …) passed through runtimeConfig when a plugin declares them. */
  capabilityArgs?: Record<string, unknown>;
  /** Extra CNI_ARGS key/value pairs (e.g. IP=10.20.92.11 for host-local). */
  cniArgs?: [string, string][];
}

export interface SetUpResult { ips: string[]; result: unknown }

type Cmd = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

/**
 * A libcni-like runtime: runs the node's network config list by the exec protocol, chains
 * prevResult, keeps libcni's result cache and uses it for DEL/CHECK/GC.
 */
export class CniRuntime {
  readonly cache: ResultCache;
  constructor(readonly opts: CniRuntimeOptions) { this.cache = new ResultCache(opts.cacheDir); }

  /** The current network config list (re-read every call so config changes apply to new pods). */
  network(): NetworkConfigList {
    return this.opts.networkName ? loadNetworkByName(this.opts.confDir, this.opts.networkName) : loadDefaultNetwork(this.opts.confDir);
  }

  private cniArgs(p: PodAttachment): [string, string][] {
    return [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', p.podNamespace], ['K8S_POD_NAME', p.podName], ['K8S_POD_INFRA_CONTAINER_ID', p.containerId], ['K8S_POD_UID', p.podUid], ...(p.cniArgs ?? [])];
  }
  private capArgs(p: PodAttachment): Record<string, unknown> {
    const c: Record<string, unknown> = { ...(p.capabilityArgs ?? {}) };
    if (p.portMappings?.length) c.portMappings = p.portMappings.map((m) => ({ ...m, protocol: m.protocol ?? 'tcp' }));
    return c;
  }

  /** libcni's buildOneConfig: name + cniVersion injected, runtimeConfig from declared capabilities, prevResult. */
  private pluginConf(list: NetworkConfigList, plugin: NetConf, caps: Record<string, unknown>, prevResult: unknown, extra: Record<string, unknown> = {}): string {
    const c: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion, ...extra };
    const rc: Record<string, unknown> = {};
    for (const [k, on] of Object.entries(plugin.capabilities ?? {})) if (on && caps[k] !== undefined) rc[k] = caps[k];
    if (Object.keys(rc).length) c.runtimeConfig = rc; else delete c.runtimeConfig;
    if (prevResult !== undefined) c.prevResult = prevResult; else delete c.prevResult;
    return JSON.stringify(c);
  }

  private env(cmd: Cmd, p: { containerId?: string; netnsPath?: string; ifName?: string }, args: [string, string][]): Record<string, string> {
    const e: Record<string, string> = { ...this.opts.env, CNI_COMMAND: cmd, CNI_PATH: this.opts.binDirs.join(':') };
    if (p.containerId) e.CNI_CONTAINERID = p.containerId;
    if (p.netnsPath) e.CNI_NETNS = p.netnsPath;
    if (p.ifName) e.CNI_IFNAME = p.ifName;
    if (args.length) e.CNI_ARGS = args.map(([k, v]) => `${k}=${v}`).join(';');
    return e;
  }

  private run(type: string, env: Record<string, string>, stdin: string): Promise<unknown> {
    const path = findPlugin(type, this.opts.binDirs);
    // in the agent, which serves podnet's plugins itself: a function call, not an exec of the thin client
    const host = this.opts.hostNetns;
    const inProcess = this.opts.netns ? undefined
      : host ? withPluginHostNs(host, () => runOwnPluginInProcess(type, path, env, stdin)) : runOwnPluginInProcess(type, path, env, stdin);
    if (inProcess) return inProcess;
    const ns = this.opts.netns ?? host;
    return execPlugin(path, env, stdin, { ...(ns ? { netns: ns } : {}), timeoutMs: this.opts.timeoutMs ?? 60_000 });
  }

  /** ADD through the whole list; on failure everything already added is deleted again. */
  async setUp(p: PodAttachment): Promise<SetUpResult> {
    const list = this.network();
    const args = this.cniArgs(p), caps = this.capArgs(p);
    let prev: unknown;
    try {
      for (const plugin of list.plugins) {
        prev = await this.run(plugin.type, this.env('ADD', p, args), this.pluginConf(list, plugin, caps, prev));
      }
    } catch (e) {
      await this.delList(list, p, args, caps, undefined).catch(() => undefined);
      throw e;
    }
    this.cache.write({
      kind: 'cniCacheV1', containerId: p.containerId, config: list.bytes.toString('base64'), ifName: p.ifName,
      networkName: list.name, cniArgs: args, capabilityArgs: caps, result: prev,
    });
    const parsed = prev === undefined ? undefined : parseResult(prev);
    return { ips: (parsed?.ips ?? []).map((ip) => ip.address.split('/')[0]!), result: prev };
  }

  private async delList(list: NetworkConfigList, p: { containerId: string; netnsPath?: string; ifName: string }, args: [string, string][], caps: Record<string, unknown>, prev: unknown): Promise<void> {
    const usePrev = atLeast(list.cniVersion, '0.4.0') ? prev : undefined;
    let first: unknown;
    for (const plugin of [...list.plugins].reverse()) {
      try { await this.run(plugin.type, this.env('DEL', p, args), this.pluginConf(list, plugin, caps, usePrev)); } catch (e) { first ??= e; }
    }
    if (first) throw first;
  }

  /** DEL in reverse order with the cached config and result; idempotent. */
  async tearDown(p: PodAttachment): Promise<void> {
    const cur = this.network();
    const cached = this.cache.read(cur.name, p.containerId, p.ifName);
    const list = cached ? parseConfList(Buffer.from(cached.config, 'base64')) : cur;
    const args = cached?.cniArgs ?? this.cniArgs(p);
    const caps = cached?.capabilityArgs ?? this.capArgs(p);
    await this.delList(list, p, args, caps, cached?.result);
    this.cache.remove(list.name, p.containerId, p.ifName);
  }

  /** CHECK every plugin against the cached result (spec ≥ 0.4.0). */
  async check(p: PodAttachment): Promise<void> {
    const cur = this.network();
    const cached = this.cache.read(cur.name, p.containerId, p.ifName);
    if (!cached) throw new CniError(ErrCode.UnknownContainer, `no cached result for ${cur.name}/${p.containerId}/${p.ifName}`);
    const list = parseConfList(Buffer.from(cached.config, 'base64'));
    if (!atLeast(list.cniVersion, '0.4.0')) throw new CniError(ErrCode.IncompatibleVersion, `configuration version ${list.cniVersion} does not support CHECK`);
    if (list.disableCheck) return;
    const args = cached.cniArgs ?? [], caps = cached.capabilityArgs ?? {};
    for (const plugin of list.plugins) {
      await this.run(plugin.type, this.env('CHECK', p, args), this.pluginConf(list, plugin, caps, cached.result));
    }
  }

  /** STATUS of every plugin (spec 1.1; earlier versions are always ready). */
  async status(): Promise<void> {
    const list = this.network();
    if (!atLeast(list.cniVersion, '1.1.0')) return;
    for (const plugin of list.plugins) await this.run(plugin.type, this.env('STATUS', {}, []), this.pluginConf(list, plugin, {}, undefined));
  }

  /**
   * Garbage collection (spec 1.1): cached attachments not in `valid` are deleted (DEL with their
   * cached config), then every plugin gets GC with `cni.dev/valid-attachments`.
   */
  async gc(valid: { containerId: string; ifName: string }[]): Promise<{ deleted: string[] }> {
    const list = this.network();
    const keep = new Set(valid.map((v) => `${v.containerId}\u0000${v.ifName}`));
    const deleted: string[] = [];
    for (const e of this.cache.list(list.name)) {
      if (keep.has(`${e.containerId}\u0000${e.ifName}`)) continue;
      const l = parseConfList(Buffer.from(e.config, 'base64'));
      try {
        await this.delList(l, { containerId: e.containerId, ifName: e.ifName }, e.cniArgs ?? [], e.capabilityArgs ?? {}, e.result);
        this.cache.remove(l.name, e.containerId, e.ifName);
        deleted.push(e.containerId);
      } catch { /* retried at the next GC */ }
    }
    if (atLeast(list.cniVersion, '1.1.0') && !list.disableGC) {
      const attachments = valid.map((v) => ({ containerID: v.containerId, ifname: v.ifName }));
      for (const plugin of list.plugins) {
        await this.run(plugin.type, this.env('GC', {}, []), this.pluginConf(list, plugin, {}, undefined, { 'cni.dev/valid-attachments': attachments }));
      }
    }
    return { deleted };
  }

  /** Every cached attachment of the current network (what the runtime believes is set up). */
  attachments(): CacheEntry[] { return this.cache.list(this.network().name); }
}
