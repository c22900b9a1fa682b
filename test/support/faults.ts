/** Shared helpers of the faults-* e2e tests: process memory, kernel rule counts, lab pidfiles. */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { PODNET, must, labLeftovers } from './lab.js';

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

/** Every entry under a directory, recursively (paths relative to it), sorted; [] when it does not exist. */
export function treeOf(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(`${dir}/${rel}`, { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      out.push(e.isDirectory() ? `${p}/` : p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The root namespace as a lab could change it: links, addresses, routes of every table, rules,
 * iptables-save and nft list ruleset (counters removed), this mount namespace's mount points,
 * /run/netns entries, the files under /run/podnet, and the processes that live in a network
 * namespace other than the host's (a lab's daemons and pods). Compared before and after.
 */
export async function rootSnapshot(hostNetns: string | undefined): Promise<Record<string, string>> {
  const [links, addrs, routes, rules, ipt, nft] = await Promise.all([
    must('ip', ['-br', 'link']), must('ip', ['-br', 'addr']), must('ip', ['route', 'show', 'table', 'all']), must('ip', ['rule']),
    must('iptables-save', []).then(normalizeIptablesSave),
    must('nft', ['list', 'ruleset']).then((x) => x.replace(/counter packets \d+ bytes \d+/g, 'counter')),
  ]);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((l) => { const f = l.split(' '); return `${f[4]} ${l.split(' - ')[1]?.split(' ')[0] ?? ''}`; }).sort().join('\n');
  const procs: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ns = readlinkSync(`/proc/${d}/ns/net`);
      if (ns === hostNetns) continue;
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (st.slice(st.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie holds nothing
      procs.push(`${d} ${readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 120)}`);
    } catch { /* gone or a kernel thread */ }
  }
  return {
    links, addrs, routes, rules, iptables: ipt, nft, mounts,
    runNetns: (existsSync('/run/netns') ? readdirSync('/run/netns').sort() : ['(no /run/netns)']).join('\n'),
    runPodnet: (existsSync('/run/podnet') ? treeOf('/run/podnet') : ['(no /run/podnet)']).join('\n'),
    processesInOtherNetns: procs.sort().join('\n'),
  };
}

/** The parts of two snapshots that differ, each as its lines added (+) and removed (-). */
export function snapshotDiff(a: Record<string, string>, b: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(a)) {
    if (a[k] === b[k]) continue;
    const la = new Set(a[k]!.split('\n')); const lb = new Set((b[k] ?? '').split('\n'));
    // processes that were there before and ended meanwhile are not ours (another user of the box)
    if (k === 'processesInOtherNetns' && [...lb].every((l) => la.has(l))) continue;
    out.push(`${k}: ${[...lb].filter((l) => !la.has(l)).map((l) => `+ ${l}`).concat([...la].filter((l) => !lb.has(l)).map((l) => `- ${l}`)).slice(0, 12).join(' | ')}`);
  }
  return out;
}

/**
 * labLeftovers(lab) without what was already there before the test (`baseline`, e.g. labLeftovers of
 * the same, not yet created lab): processes in unnamed netns that another user of the box left.
 */
export function newLeftovers(lab: string, baseline: readonly string[]): string[] {
  const before = new Set(baseline);
  return labLeftovers(lab).filter((l) => !before.has(l));
}
