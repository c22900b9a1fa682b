import { nsExec, type NetnsPath } from './exec.js';

/** A forwarding-database entry as `bridge -json fdb show` reports it. */
export interface FdbInfo { mac: string; dev?: string; dst?: string; flags?: string[]; state?: string }

export async function listFdb(ns: NetnsPath, dev: string): Promise<FdbInfo[]> {
  const r = await nsExec(ns, ['bridge', '-json', 'fdb', 'show', 'dev', dev]);
  const t = r.stdout.trim();
  return t ? (JSON.parse(t) as FdbInfo[]) : [];
}

/** A static FDB entry on a VXLAN device: frames for `mac` go to the remote VTEP `dst`. */
export async function replaceFdb(ns: NetnsPath, dev: string, mac: string, dst: string): Promise<void> {
  await nsExec(ns, ['bridge', 'fdb', 'replace', mac, 'dev', dev, 'dst', dst, 'self', 'permanent']);
}

/** Many `bridge` commands in one process (`bridge -batch -`), inside ns. */
export async function bridgeBatch(ns: NetnsPath, lines: readonly string[]): Promise<void> {
  if (lines.length) await nsExec(ns, ['bridge', '-batch', '-'], { input: lines.join('\n') + '\n' });
}

export async function delFdb(ns: NetnsPath, dev: string, mac: string, dst?: string): Promise<boolean> {
  const args = ['bridge', 'fdb', 'del', mac, 'dev', dev, ...(dst ? ['dst', dst] : []), 'self'];
  const r = await nsExec(ns, args, { allowFail: true });
  return r.code === 0;
}

