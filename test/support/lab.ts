/** Helpers for e2e tests that drive `podnet lab` as a user would (the CLI, the real kubectl). */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostNetnsId } from '../../src/net/whereami.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PODNET = join(here, '..', '..', '..', 'bin', 'podnet');

export interface Run { stdout: string; stderr: string; code: number }
export function run(cmd: string, args: string[], o: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const c = execFile(cmd, args, { env: { ...process.env, ...o.env }, timeout: o.timeoutMs ?? 120_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      resolve({ stdout: String(stdout), stderr: String(stderr), code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0 });
    });
    c.stdin?.on('error', () => { /* the child may exit before reading stdin */ });
    c.stdin?.end(o.input ?? '');
  });
}
export async function must(cmd: string, args: string[], o: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, o);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} → ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}
export async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try { const v = await f(); if (v) return v; } catch (e) { last = (e as Error).message; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} ${last}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
export function randomLabName(prefix: string): string { return `${prefix}${Math.random().toString(36).slice(2, 6)}`; }

/** kubectl against a lab (admin kubeconfig). */
export function labKubectl(lab: string): (args: string[], input?: string) => Promise<string> {
  const kubeconfig = `/run/podnet/${lab}/api/admin.kubeconfig`;
  return (args, input) => must('kubectl', args, { env: { KUBECONFIG: kubeconfig }, input });
}

/**
 * What a lab leaves behind: namespaces, its dir, processes mentioning its dir, and processes in a
 * network namespace that no /run/netns name binds and that is not the host's (a container whose
 * pod sandbox is gone: its command line need not mention the lab).
 */
export function labLeftovers(lab: string): string[] {
  const out: string[] = [];
  out.push(...orphanedNetnsProcesses());
  for (const n of existsSync('/run/netns') ? readdirSync('/run/netns') : []) if (n.startsWith(`pn-${lab}-`)) out.push(`netns ${n}`);
  if (existsSync(`/run/podnet/${lab}`)) out.push(`dir /run/podnet/${lab}`);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try { const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' '); if (cmd.includes(`/run/podnet/${lab}/`)) out.push(`process ${d}: ${cmd.slice(0, 100)}`); } catch { /* gone */ }
  }
  out.push(...overlayMountsUnder(`/run/podnet/${lab}/`));
  return out;
}

/**
 * Overlay mounts (container root filesystems) whose layers live under `prefix`, in any mount
 * namespace on the box (a container's overlay exists only in its own): none may outlive the lab.
 */
export function overlayMountsUnder(prefix: string): string[] {
  const out = new Set<string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let text = '';
    try { text = readFileSync(`/proc/${d}/mountinfo`, 'utf8'); } catch { continue; }
    for (const line of text.split('\n')) {
      const [, rest] = line.split(' - ');
      if (!rest?.startsWith('overlay ') || !rest.includes(prefix)) continue;
      out.add(`overlay mount (seen by process ${d}): ${rest.slice(0, 160)}`);
    }
  }
  return [...out];
}

/** Processes in a network namespace that is neither the host's nor bound under /run/netns. */
function orphanedNetnsProcesses(): string[] {
  const named = new Set<string>();
  for (const n of existsSync('/run/netns') ? readdirSync('/run/netns') : []) { try { named.add(`net:[${statSync(`/run/netns/${n}`).ino}]`); } catch { /* gone */ } }
  const host = hostNetnsId();
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ns = readlinkSync(`/proc/${d}/ns/net`);
      if (ns === host || named.has(ns)) continue;
      out.push(`process ${d} in an unnamed netns ${ns}: ${readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 100)}`);
    } catch { /* gone or kernel thread */ }
  }
  return out;
}

/** cni-* namespaces (pod sandboxes) present now. */
export function cniNetns(): Set<string> {
  return new Set(existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith('cni-')) : []);
}

export async function labDown(lab: string): Promise<Run> {
  return run(PODNET, ['lab', 'down', '--name', lab], { timeoutMs: 180_000 });
}

/** The root namespace's links, routes, rules, iptables and nft rulesets (counters stripped), to compare before up and after down. */
export async function rootNetwork(): Promise<string> {
  const parts = await Promise.all([
    must('ip', ['-br', 'link']), must('ip', ['route', 'show', 'table', 'all']), must('ip', ['rule']),
    must('iptables-save', []).then((x) => x.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n')),
    must('nft', ['list', 'ruleset']),
  ]);
  return parts.join('\n----\n');
}

/**
 * Waits until each podnet/echo pod's server printed its "listening" line. Running means only that the
 * container started (no readiness probe, as upstream), so traffic sent at once can meet a port not
 * yet bound.
 */
export async function echoServersListening(kubectl: (args: string[]) => Promise<string>, pods: readonly string[], ms = 60_000): Promise<void> {
  await until(`${pods.length} echo server(s) listening`, async () => {
    const logs = await Promise.all(pods.map((p) => kubectl(['logs', p]).catch(() => '')));
    return logs.every((l) => l.includes('podnet/echo: pod='));
  }, ms);
}
