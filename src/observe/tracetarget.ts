/** `podnet trace` arguments (pure): SRC `pod/NAME` | `node/NAME`; DST `pod/NAME[:PORT]`, `svc/NAME[:PORT]`, `node/NAME:PORT`, `IP[:PORT]`. */
import { TraceError, type TraceProtocol } from './tracetypes.js';

export type SourceSpec = { kind: 'pod' | 'node'; name: string };
export type DestSpec =
  | { kind: 'pod'; name: string; port?: number }
  | { kind: 'svc'; name: string; port?: number; portName?: string }
  | { kind: 'node'; name: string; port: number }
  | { kind: 'ip'; ip: string; port?: number };

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function kindOf(k: string): 'pod' | 'node' | 'svc' | undefined {
  if (['pod', 'pods', 'po'].includes(k)) return 'pod';
  if (['node', 'nodes', 'no'].includes(k)) return 'node';
  if (['svc', 'service', 'services'].includes(k)) return 'svc';
  return undefined;
}

function portOf(s: string, what: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw new TraceError('EARG', `${what}: port must be 1-65535, not "${s}"`);
  return Number(s);
}

function nameOf(s: string, what: string): string {
  if (!NAME.test(s)) throw new TraceError('EARG', `${what}: "${s}" is not a valid object name`);
  return s;
}

export function parseSource(arg: string): SourceSpec {
  const m = /^([a-z]+)\/(.+)$/.exec(arg);
  const kind = m ? kindOf(m[1]!) : undefined;
  if (!m || (kind !== 'pod' && kind !== 'node')) throw new TraceError('EARG', `SRC must be pod/NAME or node/NAME, not "${arg}"`);
  return { kind, name: nameOf(m[2]!, 'SRC') };
}

export function parseDestination(arg: string): DestSpec {
  const ipm = /^([\d.]+)(?::(\d+))?$/.exec(arg);
  if (ipm && IPV4.test(ipm[1]!)) return { kind: 'ip', ip: ipm[1]!, ...(ipm[2] !== undefined ? { port: portOf(ipm[2], 'DST') } : {}) };
  const m = /^([a-z]+)\/([^:]+)(?::([^:]+))?$/.exec(arg);
  const kind = m ? kindOf(m[1]!) : undefined;
  if (!m || !kind) throw new TraceError('EARG', `DST must be pod/NAME[:PORT], svc/NAME[:PORT], node/NAME:PORT or IP[:PORT], not "${arg}"`);
  const name = nameOf(m[2]!, 'DST');
  const p = m[3];
  if (kind === 'node') {
    if (p === undefined) throw new TraceError('EARG', `DST node/${name} needs a port (node/NAME:PORT, a NodePort)`);
    return { kind, name, port: portOf(p, 'DST') };
  }
  if (kind === 'svc') {
    if (p === undefined) return { kind, name };
    return /^\d+$/.test(p) ? { kind, name, port: portOf(p, 'DST') } : { kind, name, portName: nameOf(p, 'DST port name') };
  }
  return { kind, name, ...(p !== undefined ? { port: portOf(p, 'DST') } : {}) };
}

/** --proto: tcp | udp | icmp; default tcp when the destination has a port, else icmp. */
export function parseProtocol(v: string | undefined, hasPort: boolean): TraceProtocol {
  if (v === undefined) return hasPort ? 'tcp' : 'icmp';
  const p = v.toLowerCase();
  if (p !== 'tcp' && p !== 'udp' && p !== 'icmp') throw new TraceError('EFLAG', `--proto must be tcp, udp or icmp, not "${v}"`);
  if (p !== 'icmp' && !hasPort) throw new TraceError('EFLAG', `--proto ${p} needs a destination port (NAME:PORT or IP:PORT)`);
  return p;
}
