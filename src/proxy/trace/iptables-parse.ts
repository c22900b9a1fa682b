import { parsePrefix, type Prefix } from './ipv4.js';
import { num, words } from './tokens.js';
import { TraceError, type L4 } from './types.js';

/** One test of an iptables rule; `neg` is a preceding `!`. */
export type IptMatch =
  | { kind: 'addr'; dir: 'src' | 'dst'; prefix: Prefix; neg: boolean }
  | { kind: 'proto'; proto: string; neg: boolean }
  | { kind: 'iface'; dir: 'in' | 'out'; name: string; neg: boolean }
  | { kind: 'port'; proto: L4; dir: 'src' | 'dst'; lo: number; hi: number; neg: boolean }
  | { kind: 'addrtype'; dir: 'src' | 'dst'; neg: boolean }          // type LOCAL (the only one supported)
  | { kind: 'mark'; value: number; mask: number; neg: boolean }
  | { kind: 'statistic'; probability: number; neg: boolean }
  | { kind: 'recent'; name: string; op: 'rcheck' | 'set' | 'update' | 'remove'; seconds: number | null; reap: boolean; side: 'src' | 'dst' }
  | { kind: 'conntrack'; states: string[]; neg: boolean };

export type IptTarget =
  | { kind: 'jump' | 'goto'; chain: string }
  | { kind: 'verdict'; verdict: 'ACCEPT' | 'DROP' | 'REJECT' | 'RETURN' }
  | { kind: 'mark'; op: 'or' | 'xor' | 'and' | 'setx'; value: number; mask: number }
  | { kind: 'dnat'; ip: string; port: number | null }
  | { kind: 'masquerade' }
  | { kind: 'none' };                                            // no -j: counts only

export interface IptRule { line: number; text: string; table: string; chain: string; comment: string | null; matches: IptMatch[]; target: IptTarget }
export interface IptChain { policy: 'ACCEPT' | 'DROP' | null; rules: IptRule[] }     // policy null: user chain
/** Tables → chains, as `iptables-save` would show them. */
export type IptState = Map<string, Map<string, IptChain>>;

const BUILTIN: Record<string, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

/** An empty kernel: the built-in chains of filter and nat with ACCEPT policies. */
export function emptyIptables(): IptState {
  const s: IptState = new Map();
  table(s, 'filter'); table(s, 'nat');
  return s;
}
function table(s: IptState, name: string): Map<string, IptChain> {
  let t = s.get(name);
  if (t) return t;
  if (!BUILTIN[name]) throw new TraceError(`unsupported table ${name}`);
  t = new Map(BUILTIN[name]!.map((c) => [c, { policy: 'ACCEPT' as const, rules: [] }]));
  s.set(name, t);
  return t;
}

/** Applies an `iptables-restore --noflush` payload (what podnet's proxier runs). */
export function applyRestore(s: IptState, payload: string): void {
  let cur: string | null = null;
  payload.split('\n').forEach((raw, idx) => {
    const line = raw.trim(), n = idx + 1;
    if (!line || line.startsWith('#')) return;
    if (line.startsWith('*')) {
      if (cur) throw new TraceError(`table ${cur} not committed before`, n, line);
      cur = line.slice(1); table(s, cur); return;
    }
    if (!cur) throw new TraceError('line outside a table', n, line);
    const t = table(s, cur);
    if (line === 'COMMIT') { cur = null; return; }
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      const c = t.get(name!);
      if (c?.policy) { if (policy !== '-') c.policy = verdictPolicy(policy!, n, line); return; }
      if (policy !== '-') throw new TraceError('user chains take policy -', n, line);
      if (c) c.rules = []; else t.set(name!, { policy: null, rules: [] });   // --noflush: declaring flushes
      return;
    }
    const { w } = words(line, n);
    const op = w[0], chain = w[1];
    if (!chain) throw new TraceError('missing chain', n, line);
    if (op === '-A' || op === '--append') addRule(s, cur, chain, w.slice(2), 'append', n, line);
    else if (op === '-I' || op === '--insert') addRule(s, cur, chain, /^\d+$/.test(w[2] ?? '') ? w.slice(3) : w.slice(2), 'prepend', n, line);
    else if (op === '-N' || op === '--new-chain') { if (t.has(chain)) throw new TraceError('chain exists', n, line); t.set(chain, { policy: null, rules: [] }); }
    else if (op === '-F' || op === '--flush') chainOf(t, chain, n, line).rules = [];
    else if (op === '-X' || op === '--delete-chain') deleteChain(t, chain, n, line);
    else throw new TraceError(`unsupported restore command ${op}`, n, line);
  });
  if (cur) throw new TraceError(`table ${cur} has no COMMIT`);
}

function verdictPolicy(p: string, n: number, line: string): 'ACCEPT' | 'DROP' {
  if (p === 'ACCEPT' || p === 'DROP') return p;
  throw new TraceError(`bad policy ${p}`, n, line);
}
function chainOf(t: Map<string, IptChain>, c: string, n: number, line: string): IptChain {
  const ch = t.get(c);
  if (!ch) throw new TraceError(`no chain ${c}`, n, line);
  return ch;
}
function deleteChain(t: Map<string, IptChain>, c: string, n: number, line: string): void {
  const ch = chainOf(t, c, n, line);
  if (ch.policy) throw new TraceError('cannot delete a built-in chain', n, line);
  if (ch.rules.length) throw new TraceError(`chain ${c} is not empty`, n, line);
  for (const [name, other] of t) for (const r of other.rules)
    if ((r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === c) throw new TraceError(`chain ${c} is still referenced from ${name} (line ${r.line})`, n, line);
  t.delete(c);
}

/** Adds one rule given as argv after the chain name (`iptables -A/-I CHAIN args…`). */
export function addRule(s: IptState, tableName: string, chain: string, args: readonly string[], where: 'append' | 'prepend', n = 0, text = `-A ${chain} ${args.join(' ')}`): IptRule {
  const t = table(s, tableName);
  const ch = chainOf(t, chain, n, text);
  const r = parseRule(t, tableName, chain, args, n, text);
  if (where === 'append') ch.rules.push(r); else ch.rules.unshift(r);
  return r;
}

interface Module { name: string; take(opt: string, next: () => string, neg: boolean): boolean; finish(): IptMatch | null }

function parseRule(t: Map<string, IptChain>, tableName: string, chain: string, a: readonly string[], n: number, text: string): IptRule {
  const err = (m: string): TraceError => new TraceError(m, n, text);
  const header: IptMatch[] = [];
  const modules: Module[] = [];
  let target: IptTarget = { kind: 'none' };
  let targetOpts: ((opt: string, next: () => string) => boolean) | null = null;
  let comment: string | null = null;
  let neg = false;
  let i = 0;
  const next = (): string => { const v = a[++i]; if (v === undefined) throw err(`option ${a[i - 1]} needs a value`); return v; };
  for (; i < a.length; i++) {
    const o = a[i]!;
    if (o === '!') { neg = true; continue; }
    if (o === '-s' || o === '--source' || o === '-d' || o === '--destination') {
      const v = next();
      if (v.includes(',')) throw err('address lists are not supported');
      header.push({ kind: 'addr', dir: o.startsWith('-s') || o === '--source' ? 'src' : 'dst', prefix: parsePrefix(v), neg });
    } else if (o === '-p' || o === '--protocol') {
      const p = next().toLowerCase();
      header.push({ kind: 'proto', proto: p, neg });
      if ((p === 'tcp' || p === 'udp' || p === 'sctp') && !neg && !modules.some((m) => m.name === p)) modules.push(portModule(p, err));
    } else if (o === '-i' || o === '--in-interface' || o === '-o' || o === '--out-interface') {
      header.push({ kind: 'iface', dir: o === '-i' || o === '--in-interface' ? 'in' : 'out', name: next(), neg });
    } else if (o === '-m' || o === '--match') {
      const name = next();
      if (name === 'comment') modules.push({ name, take: (opt, nx) => opt === '--comment' && ((comment = nx()), true), finish: () => null });
      else modules.push(makeModule(name, err));
    } else if (o === '-j' || o === '--jump' || o === '-g' || o === '--goto') {
      [target, targetOpts] = makeTarget(t, tableName, next(), o === '-g' || o === '--goto', err);
    } else if (o.startsWith('--')) {
      if (!(targetOpts?.(o, next)) && !modules.slice().reverse().some((m) => m.take(o, next, neg))) throw err(`unknown option ${o}`);
    } else throw err(`unknown argument ${o}`);
    neg = false;
  }
  if (target.kind === 'mark' && target.value < 0) throw err('MARK needs --or-mark/--xor-mark/--and-mark/--set-xmark/--set-mark');
  if (target.kind === 'dnat' && !target.ip) throw err('DNAT needs --to-destination');
  const matches = [...header, ...modules.map((m) => m.finish()).filter((m): m is IptMatch => m !== null)];
  return { line: n, text, table: tableName, chain, comment, matches, target };
}

function portRange(v: string, err: (m: string) => TraceError): { lo: number; hi: number } {
  const [lo, hi] = v.split(':');
  const l = Number(lo), h = hi === undefined ? l : Number(hi);
  if (!Number.isInteger(l) || !Number.isInteger(h) || l < 0 || h > 65535 || l > h) throw err(`bad port ${v}`);
  return { lo: l, hi: h };
}

function portModule(proto: L4, err: (m: string) => TraceError): Module {
  const ms: IptMatch[] = [];
  return {
    name: proto,
    take(opt, next, neg) {
      const dir = opt === '--dport' || opt === '--destination-port' ? 'dst' : opt === '--sport' || opt === '--source-port' ? 'src' : null;
      if (!dir) return false;
      ms.push({ kind: 'port', proto, dir, ...portRange(next(), err), neg });
      return true;
    },
    finish: () => { if (ms.length > 1) throw err('two port matches in one module'); return ms[0] ?? null; },
  };
}

function makeModule(name: string, err: (m: string) => TraceError): Module {
  switch (name) {
    case 'tcp': case 'udp': case 'sctp': {
      const m = portModule(name, err);
      // `-m tcp` alone also requires the protocol: a tcp match never matches a udp packet.
      return { name, take: m.take, finish: () => m.finish() ?? { kind: 'port', proto: name, dir: 'dst', lo: 0, hi: 65535, neg: false } };
    }
    case 'addrtype': {
      let m: IptMatch | null = null;
      return { name, take(opt, next, neg) {
        if (opt !== '--dst-type' && opt !== '--src-type') return false;
        const ty = next();
        if (ty !== 'LOCAL') throw err(`addrtype ${ty} is not supported (only LOCAL)`);
        if (m) throw err('one addrtype test per module');
        m = { kind: 'addrtype', dir: opt === '--dst-type' ? 'dst' : 'src', neg };
        return true;
      }, finish: () => { if (!m) throw err('addrtype without a type'); return m; } };
    }
    case 'mark': {
      let m: IptMatch | null = null;
      return { name, take(opt, next, neg) {
        if (opt !== '--mark') return false;
        const [v, k] = next().split('/');
        m = { kind: 'mark', value: hex(v, err), mask: k === undefined ? 0xffffffff : hex(k, err), neg };
        return true;
      }, finish: () => { if (!m) throw err('mark without --mark'); return m; } };
    }
    case 'statistic': {
      let mode = '', p: number | null = null, pneg = false;
      return { name, take(opt, next, neg) {
        if (opt === '--mode') { mode = next(); return true; }
        if (opt === '--probability') { p = Number(next()); pneg = neg; return true; }
        return false;
      }, finish: () => {
        if (mode !== 'random' || p === null || !(p >= 0 && p <= 1)) throw err('statistic: only --mode random --probability 0..1 is supported');
        return { kind: 'statistic', probability: p, neg: pneg };
      } };
    }
    case 'recent': {
      let nm = 'DEFAULT', op: 'rcheck' | 'set' | 'update' | 'remove' | null = null, seconds: number | null = null, reap = false, side: 'src' | 'dst' = 'src';
      return { name, take(opt, next, neg) {
        if (neg) throw err('negated recent matches are not supported');
        if (opt === '--name') nm = next();
        else if (opt === '--rcheck' || opt === '--set' || opt === '--update' || opt === '--remove') op = opt.slice(2) as typeof op;
        else if (opt === '--seconds') seconds = num(next(), 0, opt);
        else if (opt === '--reap') reap = true;
        else if (opt === '--rsource') side = 'src';
        else if (opt === '--rdest') side = 'dst';
        else if (opt === '--mask') { if (next() !== '255.255.255.255') throw err('recent --mask other than /32 is not supported'); }
        else return false;
        return true;
      }, finish: () => { if (!op) throw err('recent needs --rcheck/--set/--update/--remove'); return { kind: 'recent', name: nm, op, seconds, reap, side }; } };
    }
    case 'conntrack': {
      let m: IptMatch | null = null;
      return { name, take(opt, next, neg) {
        if (opt !== '--ctstate') return false;
        m = { kind: 'conntrack', states: next().split(','), neg };
        return true;
      }, finish: () => { if (!m) throw err('conntrack without --ctstate'); return m; } };
    }
    default: throw err(`unsupported match module ${name}`);
  }
}

function hex(v: string | undefined, err: (m: string) => TraceError): number {
  if (v === undefined || !/^(0x[0-9a-fA-F]+|\d+)$/.test(v)) throw err(`bad mark ${v}`);
  return Number(v) >>> 0;
}

type TargetOpts = ((opt: string, next: () => string) => boolean) | null;

function makeTarget(t: Map<string, IptChain>, tableName: string, name: string, isGoto: boolean, err: (m: string) => TraceError): [IptTarget, TargetOpts] {
  if (isGoto || t.get(name)?.policy === null) {
    const ch = t.get(name);
    if (!ch || ch.policy !== null) throw err(`${isGoto ? 'goto' : 'jump'} to ${name}, which is not a chain of table ${tableName}`);
    return [{ kind: isGoto ? 'goto' : 'jump', chain: name }, null];
  }
  switch (name) {
    case 'ACCEPT': case 'DROP': case 'RETURN': return [{ kind: 'verdict', verdict: name }, null];
    case 'REJECT': return [{ kind: 'verdict', verdict: 'REJECT' }, (opt, next) => opt === '--reject-with' && (next(), true)];
    case 'MARK': {
      const tg: IptTarget & { kind: 'mark' } = { kind: 'mark', op: 'or', value: -1, mask: 0 };
      return [tg, (opt, next) => {
        const [v, k] = next().split('/');
        tg.value = hex(v, err);
        if (opt === '--or-mark') tg.op = 'or';
        else if (opt === '--xor-mark') tg.op = 'xor';
        else if (opt === '--and-mark') tg.op = 'and';
        else if (opt === '--set-xmark' || opt === '--set-mark') { tg.op = 'setx'; tg.mask = k === undefined ? 0xffffffff : hex(k, err); }
        else throw err(`unknown MARK option ${opt}`);
        return true;
      }];
    }
    case 'DNAT': {
      if (tableName !== 'nat') throw err('DNAT outside the nat table');
      const tg: IptTarget & { kind: 'dnat' } = { kind: 'dnat', ip: '', port: null };
      return [tg, (opt, next) => {
        if (opt === '--random' || opt === '--persistent') return true;
        if (opt !== '--to-destination') return false;
        const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(next());
        if (!m) throw err('DNAT --to-destination must be ip[:port] (ranges are not supported)');
        parsePrefix(m[1]!);
        tg.ip = m[1]!; tg.port = m[2] === undefined ? null : Number(m[2]);
        return true;
      }];
    }
    case 'MASQUERADE':
      if (tableName !== 'nat') throw err('MASQUERADE outside the nat table');
      return [{ kind: 'masquerade' }, (opt) => opt === '--random-fully' || opt === '--random'];
    default: throw err(`unsupported target ${name}`);
  }
}
