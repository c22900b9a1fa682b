import { nsExec, type NetnsPath } from './exec.js';

export type IptTable = 'nat' | 'filter' | 'mangle' | 'raw';

/** `iptables-restore --noflush -w` of a whole restore payload (one atomic commit per table) inside ns. */
export async function iptablesRestore(ns: NetnsPath, payload: string, opts: { noflush?: boolean } = {}): Promise<void> {
  await nsExec(ns, ['iptables-restore', '-w', '5', ...(opts.noflush !== false ? ['--noflush'] : [])], { input: payload });
}

/** `iptables-save [-t table]` inside ns. */
export async function iptablesSave(ns: NetnsPath, table?: IptTable): Promise<string> {
  const { stdout } = await nsExec(ns, ['iptables-save', ...(table ? ['-t', table] : [])]);
  return stdout;
}

/** Chain names declared in one table of an iptables-save dump. */
export function savedChains(dump: string, table: IptTable): Set<string> {
  const out = new Set<string>();
  let cur = '';
  for (const line of dump.split('\n')) {
    if (line.startsWith('*')) cur = line.slice(1).trim();
    else if (cur === table && line.startsWith(':')) out.add(line.slice(1).split(' ')[0]!);
  }
  return out;
}

/** Does `-t table chain args` exist? (iptables -C normalises the match order for us.) */
async function ruleExists(ns: NetnsPath, table: IptTable, chain: string, args: readonly string[]): Promise<boolean> {
  const r = await nsExec(ns, ['iptables', '-w', '5', '-t', table, '-C', chain, ...args], { allowFail: true });
  return r.code === 0;
}

/** Ensures a rule exists (prepend or append when missing), as upstream's EnsureRule. Returns true when added. */
export async function ensureRule(ns: NetnsPath, table: IptTable, chain: string, args: readonly string[], position: 'prepend' | 'append' = 'prepend'): Promise<boolean> {
  if (await ruleExists(ns, table, chain, args)) return false;
  await nsExec(ns, ['iptables', '-w', '5', '-t', table, position === 'prepend' ? '-I' : '-A', chain, ...args]);
  return true;
}

/** Deletes every copy of a rule; missing is fine. */
export async function deleteRule(ns: NetnsPath, table: IptTable, chain: string, args: readonly string[]): Promise<void> {
  for (let i = 0; i < 8; i++) {
    const r = await nsExec(ns, ['iptables', '-w', '5', '-t', table, '-D', chain, ...args], { allowFail: true });
    if (r.code !== 0) return;
  }
}


// ---- chains and single rules (what the CNI plugins' per-container chains need) --------------

function iptables(ns: NetnsPath, table: IptTable, args: readonly string[], allowFail = false) {
  return nsExec(ns, ['iptables', '-w', '5', '-t', table, ...args], { allowFail });
}

/** Does the chain exist in the table? */
export async function chainExists(ns: NetnsPath, table: IptTable, chain: string): Promise<boolean> {
  return (await iptables(ns, table, ['-S', chain, '1'], true)).code === 0;
}

/** Creates the chain when missing (a concurrent creation is fine). */
export async function ensureChain(ns: NetnsPath, table: IptTable, chain: string): Promise<void> {
  if (!(await chainExists(ns, table, chain))) await iptables(ns, table, ['-N', chain], true);
}

/** Creates the chain when missing, empties it when present. */
export async function freshChain(ns: NetnsPath, table: IptTable, chain: string): Promise<void> {
  if (await chainExists(ns, table, chain)) await iptables(ns, table, ['-F', chain]);
  else await iptables(ns, table, ['-N', chain]);
}

/** Flushes and deletes a chain; missing is fine. */
export async function removeChain(ns: NetnsPath, table: IptTable, chain: string): Promise<void> {
  await iptables(ns, table, ['-F', chain], true);
  await iptables(ns, table, ['-X', chain], true);
}

/** Appends one rule. */
export async function appendRule(ns: NetnsPath, table: IptTable, chain: string, args: readonly string[]): Promise<void> {
  await iptables(ns, table, ['-A', chain, ...args]);
}

/** Deletes one copy of a rule; false when there was none (or it could not be deleted). */
export async function deleteRuleOnce(ns: NetnsPath, table: IptTable, chain: string, args: readonly string[]): Promise<boolean> {
  return (await iptables(ns, table, ['-D', chain, ...args], true)).code === 0;
}

/** `iptables-restore --noflush` of a payload; false (nothing applied) when the restore failed. */
export async function tryIptablesRestore(ns: NetnsPath, payload: string): Promise<boolean> {
  return (await nsExec(ns, ['iptables-restore', '-w', '5', '--noflush'], { input: payload, allowFail: true })).code === 0;
}

/** `iptables-save -c -t table` inside ns: the rules with their `[packets:bytes]` counters. */
export async function iptablesSaveCounters(ns: NetnsPath, table: IptTable): Promise<string> {
  const { stdout } = await nsExec(ns, ['iptables-save', '-c', '-t', table]);
  return stdout;
}
