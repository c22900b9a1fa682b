/** `podnet lab status`: the lab's namespaces, daemons, nodes and pods, and any fault seen. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, loadKubeconfig, R } from '../client/index.js';
import type { KObject } from '../meta/types.js';
import { netnsPath } from '../net/netns.js';
import { labDir, pidFile } from './paths.js';
import { readPidFile, recordAlive } from './procs.js';
import { adminKubeconfig, readState } from './up.js';

export function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

interface NodeObj extends KObject { spec?: { podCIDR?: string }; status?: { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string; message?: string }[] } }
interface PodObj extends KObject { spec?: { nodeName?: string }; status?: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean; state?: { waiting?: { reason?: string } } }[] } }

export async function labStatus(name: string): Promise<{ text: string; faults: string[] }> {
  const st = readState(name);
  const faults: string[] = [];
  if (!st && !existsSync(labDir(name))) return { text: `lab "${name}" is not up\n`, faults: [] };
  let out = '';
  if (!st) { faults.push('state file missing or unreadable (half-finished up?)'); }
  else out += `LAB ${name}: ${st.spec.nodes.length} node(s), backend ${st.spec.backend}, subnet manager ${st.spec.subnetManager}, proxy ${st.spec.proxyMode}, phase ${st.phase}\n\n`;
  const procs: string[][] = [['PROCESS', 'PID', 'STATUS']];
  const pidDir = join(labDir(name), 'pids');
  for (const f of existsSync(pidDir) ? readdirSync(pidDir).sort() : []) {
    const r = readPidFile(join(pidDir, f));
    const alive = recordAlive(r);
    procs.push([f.replace(/\.pid$/, ''), String(r?.pid ?? '?'), alive ? 'running' : 'DEAD']);
    if (!alive) faults.push(`${f.replace(/\.pid$/, '')} is not running (log: ${r?.log ?? '?'})`);
  }
  out += table(procs) + '\n';
  if (st) {
    const ns: string[][] = [['NAMESPACE', 'PRESENT']];
    for (const n of st.netns) { const ok = existsSync(netnsPath(n)); ns.push([n, ok ? 'yes' : 'MISSING']); if (!ok) faults.push(`netns ${n} is missing`); }
    out += table(ns) + '\n';
  }
  if (recordAlive(readPidFile(pidFile(name, 'apiserver'))) && existsSync(adminKubeconfig(name))) {
    const client = createClient({ ...loadKubeconfig(adminKubeconfig(name)), timeoutMs: 5000 });
    try {
      const nodes = await client.list<NodeObj>(R.nodes);
      const rows = [['NODE', 'STATUS', 'INTERNAL-IP', 'POD-CIDR']];
      for (const n of nodes.items) {
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
        rows.push([n.metadata.name!, ready?.status === 'True' ? 'Ready' : 'NotReady', n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '', n.spec?.podCIDR ?? '<none>']);
        if (ready?.status !== 'True') faults.push(`node ${n.metadata.name} NotReady${ready?.message ? `: ${ready.message}` : ''}`);
      }
      out += table(rows) + '\n';
      const pods = await client.list<PodObj>(R.pods());
      const prow = [['NAMESPACE', 'POD', 'READY', 'STATUS', 'IP', 'NODE']];
      for (const p of pods.items) {
        const cs = p.status?.containerStatuses ?? [];
        const waiting = cs.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
        prow.push([p.metadata.namespace!, p.metadata.name!, `${cs.filter((c) => c.ready).length}/${cs.length}`, waiting ?? p.status?.phase ?? 'Unknown', p.status?.podIP ?? '<none>', p.spec?.nodeName ?? '<none>']);
        if (waiting) faults.push(`pod ${p.metadata.namespace}/${p.metadata.name}: ${waiting}`);
      }
      out += table(prow);
    } catch (e) {
      faults.push(`API not answering: ${(e as Error).message}`);
    } finally { client.close(); }
  }
  out += faults.length ? `\nFAULTS:\n${faults.map((f) => `  - ${f}`).join('\n')}\n` : '\nno faults\n';
  return { text: out, faults };
}
