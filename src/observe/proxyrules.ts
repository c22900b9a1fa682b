/**
 * Reading kube-proxy's rules back (pure): an `iptables-save -c` dump into chains with their rules and
 * `[packets:bytes]` counters, an `nft list table` listing into chains, rules and map elements, and the
 * counts `inspect node` shows per chain family.
 */

export interface CountedRule { packets: number; bytes: number; rule: string }
export interface SavedChain { name: string; rules: CountedRule[] }

/** The chains of one table of an `iptables-save -c` dump, in order, with their rules. */
export function parseSaveCounters(dump: string, table: string): Map<string, SavedChain> {
  const out = new Map<string, SavedChain>();
  let cur = '';
  const chain = (n: string): SavedChain => { let c = out.get(n); if (!c) out.set(n, (c = { name: n, rules: [] })); return c; };
  for (const line of dump.split('\n')) {
    if (line.startsWith('*')) { cur = line.slice(1).trim(); continue; }
    if (cur !== table) continue;
    if (line.startsWith(':')) { chain(line.slice(1).split(' ')[0]!); continue; }
    const m = /^(?:\[(\d+):(\d+)\] )?-A (\S+) (.*)$/.exec(line);
    if (m) chain(m[3]!).rules.push({ packets: Number(m[1] ?? 0), bytes: Number(m[2] ?? 0), rule: `-A ${m[3]} ${m[4]}` });
  }
  return out;
}

/** The chain a rule jumps or goes to (`-j X` / `-g X`), if any. */
export function jumpTarget(rule: string): string | undefined {
  return /(?:^| )-[jg] (\S+)/.exec(rule)?.[1];
}

/** Packets and bytes that entered `chain`: the sum of the counters of the rules jumping to it. */
export function chainEntries(chains: Map<string, SavedChain>, chain: string): { packets: number; bytes: number; from: CountedRule[] } {
  const from: CountedRule[] = [];
  for (const c of chains.values()) for (const r of c.rules) if (jumpTarget(r.rule) === chain) from.push(r);
  return { packets: from.reduce((s, r) => s + r.packets, 0), bytes: from.reduce((s, r) => s + r.bytes, 0), from };
}

const PER_SERVICE = /^(KUBE-(?:SVC|SVL|EXT|FW|SEP|XLB)-)/;

/** The family of a chain: per-service chains by prefix (`KUBE-SEP-*`), fixed chains by name. */
export function chainFamily(name: string): string {
  const m = PER_SERVICE.exec(name);
  return m ? `${m[1]}*` : name;
}

export interface FamilyCount { family: string; chains: number; rules: number }

/** Chains and rules per family, for the KUBE-* chains (and the built-in chains' KUBE jumps). */
export function countFamilies(chains: Map<string, SavedChain>, prefix = 'KUBE-'): FamilyCount[] {
  const fam = new Map<string, FamilyCount>();
  for (const c of chains.values()) {
    if (!c.name.startsWith(prefix)) continue;
    const f = chainFamily(c.name);
    const e = fam.get(f) ?? { family: f, chains: 0, rules: 0 };
    e.chains++; e.rules += c.rules.length;
    fam.set(f, e);
  }
  return [...fam.values()].sort((a, b) => a.family.localeCompare(b.family));
}

export interface NftChain { name: string; rules: string[] }
export interface NftMap { name: string; kind: 'map' | 'set'; elements: string[] }
export interface NftListing { chains: Map<string, NftChain>; maps: Map<string, NftMap> }

/** Splits an nft elements list `{ a : b, c : d }` at top-level commas (vmaps nest braces). */
function splitElements(body: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '';
  for (const ch of body) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) { if (cur.trim()) out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `nft list table` text into its chains (rules as printed) and maps/sets (elements). */
export function parseNftTable(text: string): NftListing {
  const chains = new Map<string, NftChain>();
  const maps = new Map<string, NftMap>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const c = /^\tchain (\S+) \{/.exec(line);
    if (c) {
      const ch: NftChain = { name: c[1]!.replace(/^"|"$/g, ''), rules: [] };
      for (i++; i < lines.length && lines[i] !== '\t}'; i++) {
        const r = lines[i]!.trim();
        if (r && !/^(type |comment |policy )/.test(r)) ch.rules.push(r);
      }
      chains.set(ch.name, ch);
      continue;
    }
    const m = /^\t(map|set) (\S+) \{/.exec(line);
    if (m) {
      const mp: NftMap = { name: m[2]!.replace(/^"|"$/g, ''), kind: m[1] as 'map' | 'set', elements: [] };
      let body = '', inEl = false;
      for (i++; i < lines.length && lines[i] !== '\t}'; i++) {
        const t = lines[i]!.trim();
        if (t.startsWith('elements = {')) { inEl = true; body += t.slice('elements = {'.length); }
        else if (inEl) body += ' ' + t;
      }
      if (inEl) mp.elements = splitElements(body.replace(/\}\s*$/, ''));
      maps.set(mp.name, mp);
    }
  }
  return { chains, maps };
}

/** The family of an nft kube-proxy chain: `service-*`, `endpoint-*`, … by the part before the hash. */
export function nftChainFamily(name: string): string {
  const m = /^(service|local|external|endpoint|firewall)-/.exec(name);
  return m ? `${m[1]}-*` : name;
}

/** Packets of an nft rule's `counter packets N bytes M`, if it counts. */
export function nftRuleCounter(rule: string): { packets: number; bytes: number } | undefined {
  const m = /counter packets (\d+) bytes (\d+)/.exec(rule);
  return m ? { packets: Number(m[1]), bytes: Number(m[2]) } : undefined;
}
