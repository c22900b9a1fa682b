/**
 * The proxy modes by name: the one list every flag, spec and registry uses. Pure (no proxier code),
 * so the lab and the CLI can validate a mode without loading the proxiers.
 */
import { PodnetError } from '../util/errors.js';

export const PROXY_MODES = ['iptables', 'nftables', 'userspace', 'ipvs'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

export function isProxyMode(s: string): s is ProxyMode {
  return (PROXY_MODES as readonly string[]).includes(s);
}

/** A --proxy-mode value that is not one of PROXY_MODES. */
export class ProxyModeError extends PodnetError {
  constructor(readonly input: string, flag: string) {
    super('EFLAG', `${flag} must be one of ${PROXY_MODES.join(', ')}, not "${input}"`);
  }
}

/** Validates a mode flag; `flag` names it in the error message. */
export function parseProxyMode(s: string, flag = '--proxy-mode'): ProxyMode {
  if (!isProxyMode(s)) throw new ProxyModeError(s, flag);
  return s;
}
