import { nsExec, type NetnsPath } from './exec.js';

/** Runs one `nft -f -` transaction inside ns (atomic: all or nothing). */
export async function nftApply(ns: NetnsPath, script: string): Promise<void> {
  await nsExec(ns, ['nft', '-f', '-'], { input: script });
}

/** `nft list …` text inside ns; '' when the object does not exist. */
async function nftList(ns: NetnsPath, args: readonly string[]): Promise<string> {
  const flags = args.filter((a) => a.startsWith('-'));
  const rest = args.filter((a) => !a.startsWith('-'));
  const r = await nsExec(ns, ['nft', ...flags, 'list', ...rest], { allowFail: true });
  return r.code === 0 ? r.stdout : '';
}

/** Names of the chains (or sets/maps) of one table; terse listing of headers only (no rules, no elements). */
export async function nftObjectNames(ns: NetnsPath, family: string, table: string, kind: 'chain' | 'set' | 'map'): Promise<string[]> {
  const text = await nftList(ns, ['-t', `${kind}s`, family].slice(0, 3)).catch(() => '');
  const out: string[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t) { inTable = t[1] === family && t[2]!.replace(/^"|"$/g, '') === table; continue; }
    const m = inTable ? new RegExp(`^\\s*${kind} (\\S+) \\{`).exec(line) : null;
    if (m) out.push(m[1]!.replace(/^"|"$/g, ''));
  }
  return out;
}

async function nftTableExists(ns: NetnsPath, family: string, table: string): Promise<boolean> {
  const r = await nsExec(ns, ['nft', 'list', 'table', family, table], { allowFail: true });
  return r.code === 0;
}

export async function nftDeleteTable(ns: NetnsPath, family: string, table: string): Promise<void> {
  if (await nftTableExists(ns, family, table)) await nsExec(ns, ['nft', 'delete', 'table', family, table]);
}

/** Names of a table's chains, sets, maps and named counters from one terse listing; table: false when absent. */
export async function nftTableObjects(ns: NetnsPath, family: string, table: string): Promise<{ table: boolean; chains: string[]; sets: string[]; maps: string[]; counters: string[] }> {
  const r = await nsExec(ns, ['nft', '-t', 'list', 'table', family, table], { allowFail: true });
  const out = { table: r.code === 0, chains: [] as string[], sets: [] as string[], maps: [] as string[], counters: [] as string[] };
  if (r.code !== 0) return out;
  for (const line of r.stdout.split('\n')) {
    const m = /^\t(chain|set|map|counter) (\S+) \{/.exec(line);
    if (!m) continue;
    const name = m[2]!.replace(/^"|"$/g, '');
    if (m[1] === 'chain') out.chains.push(name); else if (m[1] === 'set') out.sets.push(name); else if (m[1] === 'map') out.maps.push(name); else out.counters.push(name);
  }
  return out;
}

/** Values of a table's named counters (`nft -j list counters table …`); empty when the table is absent. */
export async function nftCounterValues(ns: NetnsPath, family: string, table: string): Promise<Map<string, { packets: number; bytes: number }>> {
  const r = await nsExec(ns, ['nft', '-j', 'list', 'counters', 'table', family, table], { allowFail: true });
  const out = new Map<string, { packets: number; bytes: number }>();
  if (r.code !== 0) return out;
  try {
    const j = JSON.parse(r.stdout) as { nftables?: { counter?: { name: string; packets: number; bytes: number } }[] };
    for (const o of j.nftables ?? []) if (o.counter) out.set(o.counter.name, { packets: o.counter.packets, bytes: o.counter.bytes });
  } catch { /* not JSON: no counters */ }
  return out;
}

/** `nft list table FAMILY TABLE` text inside ns (rules with their counters and map elements); '' when absent. */
export async function nftListTable(ns: NetnsPath, family: string, table: string): Promise<string> {
  return nftList(ns, [ 'table', family, table]);
}
