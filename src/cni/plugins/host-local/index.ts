import { readFileSync } from 'node:fs';
import { CniError, ErrCode, type CmdArgs, type CniPlugin, type DNS, type IPConfig, type Result } from '../../types.js';
import { formatIP, tryParseIP, contains } from '../../../util/addr.js';
import { withFileLock } from '../../../net/flock.js';
import { loadHostLocalConf, type HostLocalConf } from './config.js';
import { DiskStore } from './store.js';
import { nextFree } from './allocator.js';

/** Parses nameserver/search/domain/options out of a resolv.conf (host-local's `resolvConf`). */
export function parseResolvConf(path: string): DNS {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new CniError(ErrCode.IO, `failed to read resolvConf ${path}`, (e as Error).message); }
  const dns: DNS = {};
  for (const line of text.split('\n')) {
    const [k, ...v] = line.trim().split(/\s+/);
    if (!k || k.startsWith('#') || k.startsWith(';')) continue;
    if (k === 'nameserver' && v[0]) (dns.nameservers ??= []).push(v[0]);
    else if (k === 'domain' && v[0]) dns.domain = v[0];
    else if (k === 'search') dns.search = v;
    else if (k === 'options') (dns.options ??= []).push(...v);
  }
  return dns;
}

/** IPs requested through CNI_ARGS `IP=` or runtimeConfig/args `ips` (upstream's static requests). */
function requestedIps(a: CmdArgs): string[] {
  const out: string[] = [];
  for (const kv of a.args.split(';')) if (kv.startsWith('IP=')) out.push(...kv.slice(3).split(',').filter(Boolean));
  const rc = a.conf.runtimeConfig?.ips;
  if (Array.isArray(rc)) out.push(...(rc as string[]));
  return out.map((s) => s.split('/')[0]!);
}

function storeFor(c: HostLocalConf): DiskStore {
  try { return new DiskStore(c.dataDir, c.name); } catch (e) { throw new CniError(ErrCode.IO, `cannot open host-local store under ${c.dataDir}`, (e as Error).message); }
}

async function add(a: CmdArgs): Promise<Result> {
  const c = loadHostLocalConf(a.conf);
  const dns = c.resolvConf ? parseResolvConf(c.resolvConf) : undefined;
  const store = storeFor(c);
  const wanted = requestedIps(a);
  const ips: IPConfig[] = await withFileLock(store.lockPath, async () => {
    const got: string[] = [];
    try {
      const entries = store.entries();
      const taken = new Set(entries.map((e) => e.ip));
      const mine = entries.filter((e) => e.id === a.containerId && e.ifName === a.ifName).map((e) => e.ip);
      const out: IPConfig[] = [];
      for (const [i, set] of c.rangeSets.entries()) {
        const dup = mine.find((ip) => { const p = tryParseIP(ip); return p && set.some((r) => contains(r.subnet, p)); });
        if (dup) throw new CniError(ErrCode.Internal, `${dup} has been allocated to ${a.containerId}, duplicate allocation is not allowed`);
        const req = wanted.map((w) => tryParseIP(w)).find((p) => p && set.some((r) => contains(r.subnet, p)));
        let pick: { ip: string; range: (typeof set)[number] } | undefined;
        if (req) {
          const range = set.find((r) => r.start.family === req.family && r.start.value <= req.value && req.value <= r.end.value);
          const s = formatIP(req);
          if (!range) throw new CniError(ErrCode.InvalidNetworkConfig, `requested IP ${s} is not within any range of range set ${i}`);
          if (taken.has(s) || (range.gateway && formatIP(range.gateway) === s)) throw new CniError(ErrCode.Internal, `requested IP address ${s} is not available in range set ${i}`);
          pick = { ip: s, range };
        } else {
          const n = nextFree(set, taken, store.lastReserved(i));
          if (!n) {
            const desc = set.map((r) => `${formatIP(r.start)}-${formatIP(r.end)}`).join(',');
            throw new CniError(ErrCode.Internal, `failed to allocate for range ${i}: no IP addresses available in range set: ${desc}`);
          }
          pick = { ip: formatIP(n.ip), range: n.range };
        }
        if (!store.reserve(a.containerId, a.ifName, pick.ip, i)) throw new CniError(ErrCode.TryAgainLater, `IP ${pick.ip} was taken concurrently`);
        got.push(pick.ip);
        taken.add(pick.ip);
        out.push({ address: `${pick.ip}/${pick.range.subnet.prefix}`, ...(pick.range.gateway ? { gateway: formatIP(pick.range.gateway) } : {}) });
      }
      return out;
    } catch (e) {
      for (const ip of got) store.release(ip); // roll back a partial multi-range allocation
      throw e;
    }
  });
  return { cniVersion: a.conf.cniVersion, ips, ...(c.routes.length ? { routes: c.routes } : {}), dns: dns ?? {} };
}

async function del(a: CmdArgs): Promise<void> {
  const c = loadHostLocalConf(a.conf);
  const store = storeFor(c);
  await withFileLock(store.lockPath, async () => { store.releaseById(a.containerId, a.ifName); });
}

async function check(a: CmdArgs): Promise<void> {
  const c = loadHostLocalConf(a.conf);
  const store = storeFor(c);
  const held = store.byId(a.containerId, a.ifName);
  if (held.length === 0) throw new CniError(ErrCode.Internal, `host-local: failed to find address added by container ${a.containerId}`);
  const prev = a.conf.prevResult as Result | undefined;
  for (const ip of prev?.ips ?? []) {
    const addr = ip.address.split('/')[0]!;
    if (!held.includes(addr) && c.rangeSets.flat().some((r) => { const p = tryParseIP(addr); return p && contains(r.subnet, p); })) {
      throw new CniError(ErrCode.Internal, `host-local: address ${addr} in prevResult is not allocated to ${a.containerId}/${a.ifName}`);
    }
  }
}

/** Spec 1.1 GC: release every allocation whose attachment is not in `cni.dev/valid-attachments`. */
async function gc(a: CmdArgs): Promise<void> {
  const c = loadHostLocalConf(a.conf);
  const valid = a.conf['cni.dev/valid-attachments'];
  if (!Array.isArray(valid)) return;
  const keep = new Set((valid as { containerID?: string; ifname?: string }[]).map((v) => `${v.containerID}\u0000${v.ifname}`));
  const store = storeFor(c);
  await withFileLock(store.lockPath, async () => {
    for (const e of store.entries()) if (!keep.has(`${e.id}\u0000${e.ifName}`)) store.release(e.ip);
  });
}

async function status(a: CmdArgs): Promise<void> {
  const c = loadHostLocalConf(a.conf);
  const store = storeFor(c);
  const taken = new Set(store.entries().map((e) => e.ip));
  for (const [i, set] of c.rangeSets.entries()) {
    if (!nextFree(set, taken)) throw new CniError(ErrCode.PluginNotAvailable, `host-local: range set ${i} of ${c.name} is exhausted`);
  }
}

const hostLocal: CniPlugin = { add, del, check, gc, status };
export default hostLocal;
