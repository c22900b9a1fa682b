/** Shared helpers of the faults-* e2e tests: process memory, kernel rule counts, lab pidfiles. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { PODNET, must } from './lab.js';

/** PODNET_FAULTS_FULL=1: the long versions (100 lab cycles, a 10-minute soak, more agent kills). */
export const FAULTS_FULL = process.env.PODNET_FAULTS_FULL === '1';

export interface PidRec { name: string; pid: number; argv: string[]; log: string }

/** The lab's pidfiles (apiserver, agent-<node>, dnsmasq, …) by process name. */
export function labPids(lab: string): Map<string, PidRec> {
  const dir = `/run/podnet/${lab}/pids`;
  const out = new Map<string, PidRec>();
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    try { const r = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as PidRec; out.set(r.name, r); } catch { /* being written */ }
  }
  return out;
}

/** Resident memory of a process in KiB (VmRSS), undefined when it is gone. */
export function rssKiB(pid: number): number | undefined {
  try { return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]); } catch { return undefined; }
}

/** iptables-save of a lab host with counters and comments' volatile parts removed, lines sorted per table. */
export async function iptablesNormalized(lab: string, host: string): Promise<string> {
  const out = await must(PODNET, ['lab', 'exec', '--name', lab, host, '--', 'iptables-save']);
  return normalizeIptablesSave(out);
}

/** Drops the "# Generated/Completed" lines and the [packets:bytes] counters of iptables-save output. */
export function normalizeIptablesSave(text: string): string {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '').replace(/-c \d+ \d+ /, '')).join('\n');
}

/** `nft list ruleset` of a lab host with counters and set-element expiry removed. */
export async function nftNormalized(lab: string, host: string): Promise<string> {
  const out = await must(PODNET, ['lab', 'exec', '--name', lab, host, '--', 'nft', 'list', 'ruleset']);
  return out.replace(/counter packets \d+ bytes \d+/g, 'counter').replace(/ expires \S+/g, '');
}

/** Rule lines (iptables `-A` lines, nft statements inside chains) of a lab host: the rule count. */
export async function ruleCount(lab: string, host: string): Promise<{ iptables: number; nft: number }> {
  const ipt = (await iptablesNormalized(lab, host)).split('\n').filter((l) => l.startsWith('-A ')).length;
  const nft = (await nftNormalized(lab, host)).split('\n').filter((l) => /^\t\t\S/.test(l)).length;
  return { iptables: ipt, nft };
}

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
