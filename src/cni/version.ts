import { familyOfText } from '../util/addr.js';
import { CniError, ErrCode, SUPPORTED_VERSIONS, type CniVersion, type IPConfig, type Result, type Result040 } from './types.js';

/** Compares dotted versions: <0, 0, >0. */
function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map(Number), pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) { const d = (pa[i] ?? 0) - (pb[i] ?? 0); if (d) return d; }
  return 0;
}
export function atLeast(v: string, min: string): boolean { return cmpVersion(v, min) >= 0; }

function isSupported(v: string): v is CniVersion {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

const VERSION_RE = /^\d+\.\d+\.\d+$/;

/** Validates a config's cniVersion (empty means 0.1.0, which podnet does not speak). */
export function requireSupported(v: unknown): CniVersion {
  if (v !== undefined && typeof v !== 'string') throw new CniError(ErrCode.Decode, 'cniVersion must be a string');
  const ver = v || '0.1.0';
  if (!VERSION_RE.test(ver)) throw new CniError(ErrCode.IncompatibleVersion, `invalid cniVersion "${ver}"`);
  if (!isSupported(ver)) throw new CniError(ErrCode.IncompatibleVersion, 'incompatible CNI versions', `config is "${ver}", plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`);
  return ver;
}

function familyOf(cidr: string): '4' | '6' { return familyOfText(cidr) === 6 ? '6' : '4'; }

/** Reads a result of any supported version (or a delegate's) into the 1.x shape. */
export function parseResult(raw: unknown): Result {
  if (!raw || typeof raw !== 'object') throw new CniError(ErrCode.Decode, 'result is not an object');
  const r = raw as Record<string, unknown>;
  const ver = typeof r.cniVersion === 'string' ? r.cniVersion : '';
  if (ver && cmpVersion(ver, '0.3.0') < 0) throw new CniError(ErrCode.IncompatibleVersion, `unsupported result version ${ver}`);
  const out: Result = { cniVersion: ver || '1.0.0' };
  if (Array.isArray(r.interfaces)) out.interfaces = (r.interfaces as Result['interfaces'])!.map((i) => ({ ...i }));
  if (Array.isArray(r.ips)) {
    out.ips = (r.ips as (IPConfig & { version?: string })[]).map((ip) => {
      if (typeof ip.address !== 'string') throw new CniError(ErrCode.Decode, 'result ip without address');
      const { version: _v, ...rest } = ip;
      return rest;
    });
  }
  if (Array.isArray(r.routes)) out.routes = (r.routes as Result['routes'])!.map((x) => ({ ...x }));
  if (r.dns && typeof r.dns === 'object') out.dns = { ...(r.dns as object) };
  return out;
}

/** Converts a 1.x-shaped result to what a caller at `to` expects. */
export function convertResult(res: Result, to: string): Result | Result040 {
  if (!isSupported(to)) throw new CniError(ErrCode.IncompatibleVersion, `cannot convert result to version ${to}`);
  const base: Record<string, unknown> = { cniVersion: to };
  if (res.interfaces) base.interfaces = res.interfaces.map((i) => {
    if (cmpVersion(to, '1.1.0') >= 0) return { ...i };
    const { socketPath: _s, pciID: _p, ...rest } = i;
    if (cmpVersion(to, '1.0.0') < 0) delete (rest as { mtu?: number }).mtu;
    return rest;
  });
  if (res.ips) base.ips = res.ips.map((ip) => cmpVersion(to, '1.0.0') < 0 ? { version: familyOf(ip.address), ...ip } : { ...ip });
  if (res.routes) base.routes = res.routes.map((r) => {
    if (cmpVersion(to, '1.1.0') >= 0) return { ...r };
    return { dst: r.dst, ...(r.gw ? { gw: r.gw } : {}) };
  });
  base.dns = res.dns ? { ...res.dns } : {};
  return base as unknown as Result;
}
