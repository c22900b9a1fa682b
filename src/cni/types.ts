/**
 * CNI types. Internally podnet keeps results in the 1.x shape (`Result`); `version.ts` converts to
 * and from the 0.3.x/0.4.0 shape (`ips[].version`) at the protocol edge.
 */

import { PodnetError } from '../util/errors.js';
import { tryParseCidr, type Cidr } from '../util/addr.js';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];
export const CURRENT_VERSION: CniVersion = '1.1.0';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION' | 'GC' | 'STATUS';

/** Well-known error codes from the spec (SPEC.md "Error"). 100+ are plugin specific. */
export const ErrCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnv: 4,
  IO: 5,
  Decode: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  PluginNotAvailable: 50,
  LimitedConnectivity: 51,
  Internal: 999,
} as const;

/** An error as a plugin reports it on stdout: `{cniVersion, code, msg, details}`. */
export class CniError extends PodnetError {
  constructor(readonly cniCode: number, readonly msg: string, readonly details = '', options?: { cause?: unknown }) {
    super('ECNI', details ? `${msg}: ${details}` : msg, options);
  }
  toJSON(cniVersion?: string): Record<string, unknown> {
    return { ...(cniVersion ? { cniVersion } : {}), code: this.cniCode, msg: this.msg, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface Interface { name: string; mac?: string; mtu?: number; sandbox?: string; socketPath?: string; pciID?: string }
export interface IPConfig { address: string; gateway?: string; interface?: number }
export interface Route { dst: string; gw?: string; mtu?: number; advmss?: number; priority?: number; table?: number; scope?: number }
export interface DNS { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] }

/** A result in the 1.x shape (the one podnet computes with). */
export interface Result {
  cniVersion: string;
  interfaces?: Interface[];
  ips?: IPConfig[];
  routes?: Route[];
  dns?: DNS;
}

/** A 0.3.x / 0.4.0 IP entry: `version` names the family. */
export interface IPConfig040 extends IPConfig { version: '4' | '6' }
export interface Result040 { cniVersion: string; interfaces?: Interface[]; ips?: IPConfig040[]; routes?: Route[]; dns?: DNS }

export interface IpamConf {
  type: string;
  [k: string]: unknown;
}

/** The network configuration a plugin receives on stdin (common keys; plugins add their own). */
export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  capabilities?: Record<string, boolean>;
  ipam?: IpamConf;
  dns?: DNS;
  args?: Record<string, unknown>;
  runtimeConfig?: Record<string, unknown>;
  prevResult?: unknown;
  [k: string]: unknown;
}

/** The arguments of one invocation (env + stdin). */
export interface CmdArgs {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  args: string;
  path: string[];
  stdin: Buffer;
  /** Parsed stdin. */
  conf: NetConf;
  /** The invocation's environment (delegates inherit its CNI_* variables). */
  env: Readonly<Record<string, string | undefined>>;
}

/** A plugin: the handlers a protocol entry point dispatches to. */
export interface CniPlugin {
  add(a: CmdArgs): Promise<Result>;
  del(a: CmdArgs): Promise<void>;
  check(a: CmdArgs): Promise<void>;
  gc?(a: CmdArgs): Promise<void>;
  status?(a: CmdArgs): Promise<void>;
}

/** `K=V;K2=V2` CNI_ARGS parsed into pairs. */
export function parseCniArgs(s: string): [string, string][] {
  if (!s) return [];
  return s.split(';').filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    if (i < 1) throw new CniError(ErrCode.InvalidEnv, `invalid CNI_ARGS pair "${kv}"`);
    return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
  });
}

/** A CIDR-valued config field (host bits kept); throws a CNI "invalid network config" error naming `what`. */
export function confCidr(s: unknown, what = 'subnet'): Cidr {
  if (typeof s !== 'string') throw new CniError(ErrCode.InvalidNetworkConfig, `${what}: expected a CIDR string`);
  const c = tryParseCidr(s);
  if (!c) throw new CniError(ErrCode.InvalidNetworkConfig, `${what}: invalid CIDR address "${s}"`);
  return c;
}
