import { nsExec, type NetnsPath } from './exec.js';

/** Runs one `nft -f -` transaction inside ns (atomic: all or nothing). */
export async function nftApply(ns: NetnsPath, script: string): Promise<void> {
  await nsExec(ns, ['nft', '-f', '-'], { input: script });
}

/** `nft list …` text inside ns; '' when the object does not exist. */
export async function nftList(ns: NetnsPath, args: readonly string[]): Promise<string> {
  const r = await nsExec(ns, ['nft', 'list', ...args], { allowFail: true });
  return r.code === 0 ? r.stdout : '';
}

/** Names of the chains (or sets/maps) of one table. */
export async function nftObjectNames(ns: NetnsPath, family: string, table: string, kind: 'chain' | 'set' | 'map'): Promise<string[]> {
  const text = await nftList(ns, ['table', family, table]);
  const out: string[] = [];
  const re = new RegExp(`^\\s*${kind} (\\S+) \\{`, 'gm');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push(m[1]!.replace(/^"|"$/g, ''));
  return out;
}

export async function nftTableExists(ns: NetnsPath, family: string, table: string): Promise<boolean> {
  const r = await nsExec(ns, ['nft', 'list', 'table', family, table], { allowFail: true });
  return r.code === 0;
}

export async function nftDeleteTable(ns: NetnsPath, family: string, table: string): Promise<void> {
  if (await nftTableExists(ns, family, table)) await nsExec(ns, ['nft', 'delete', 'table', family, table]);
}
