import { parsePrefix, prefixContains, type Prefix } from './ipv4.js';
import type { Cursor } from './nft-lex.js';
import type { L4 } from './types.js';

/** Packet fields nft rules read, with the nft data type of each. */
const SELECTORS = {
  'ip saddr': 'ipv4_addr', 'ip daddr': 'ipv4_addr', 'meta l4proto': 'inet_proto', 'ip protocol': 'inet_proto',
  'th dport': 'inet_service', 'th sport': 'inet_service', 'meta mark': 'mark', 'ct state': 'ct_state',
  'meta iifname': 'ifname', 'meta oifname': 'ifname',
} as const;
export type Sel = keyof typeof SELECTORS;
export type DataType = (typeof SELECTORS)[Sel];
const typeOf = (s: Sel): DataType => SELECTORS[s];

/** A selector or a concatenation of them; `l4` when written `tcp dport` (implies the protocol); `and` a mask. */
export interface Expr { sels: Sel[]; l4: L4 | null; and: number | null }

/** A constant of one data type: an address prefix, a number range, or a name. */
export type Value = { k: 'prefix'; p: Prefix } | { k: 'range'; lo: number; hi: number } | { k: 'name'; v: string };

export type NftVerdict = { v: 'accept' | 'drop' | 'return' | 'continue' } | { v: 'jump' | 'goto'; chain: string };

export type NftStmt =
  | { k: 'cmp'; e: Expr; neg: boolean; values: Value[] }
  | { k: 'lookup'; e: Expr; neg: boolean; set: string }
  | { k: 'vmap'; e: Expr; map: string }
  | { k: 'fib'; dir: 'src' | 'dst'; neg: boolean }
  | { k: 'numgen'; mod: number; neg: boolean; values: number[] }
  | { k: 'numgen-vmap'; mod: number; entries: Map<number, NftVerdict> }
  | { k: 'mark-set'; op: 'or' | 'xor' | 'and' | 'set'; value: number }
  | { k: 'update'; set: string; e: Expr }
  | { k: 'dnat'; ip: string; port: number | null }
  | { k: 'masquerade' }
  | { k: 'reject' }
  | { k: 'verdict'; v: NftVerdict };

/** What a rule may refer to; the parser checks every reference as nft does when loading. */
export interface RuleContext {
  hasChain(name: string): boolean;
  /** key types and whether it is a verdict map; undefined when no such set/map */
  set(name: string): { keyType: DataType[]; verdictMap: boolean; dynamic: boolean } | undefined;
}

const PROTOS: Record<string, L4> = { tcp: 'tcp', udp: 'udp', sctp: 'sctp', '6': 'tcp', '17': 'udp', '132': 'sctp' };
const CT_STATES = new Set(['new', 'established', 'related', 'invalid', 'untracked']);

/** Parses one constant of a data type (`c` only for its error messages). */
export function parseValue(t: DataType, s: string, c: Cursor): Value {
  const number = (x: string): number => { if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(x)) throw c.err(`expected a number, got ${x}`); return Number(x) >>> 0; };
  switch (t) {
    case 'ipv4_addr': try { return { k: 'prefix', p: parsePrefix(s) }; } catch { throw c.err(`not an IPv4 address: ${s}`); }
    case 'inet_proto': { const p = PROTOS[s]; if (!p) throw c.err(`unsupported protocol ${s}`); return { k: 'name', v: p }; }
    case 'inet_service': case 'mark': {
      const [lo, hi] = s.split('-');
      const l = number(lo!), h = hi === undefined ? l : number(hi);
      if (t === 'inet_service' && h > 65535) throw c.err(`bad port ${s}`);
      return { k: 'range', lo: l, hi: h };
    }
    case 'ct_state': if (!CT_STATES.has(s)) throw c.err(`unknown ct state ${s}`); return { k: 'name', v: s };
    case 'ifname': return { k: 'name', v: s };
  }
}
export function valueMatches(v: Value, have: string | number): boolean {
  if (v.k === 'prefix') return prefixContains(v.p, String(have));
  if (v.k === 'range') return typeof have === 'number' && have >= v.lo && have <= v.hi;
  return v.v === have;
}
/** Canonical text of a value, for map keys. */
export function valueKey(v: Value): string { return v.k === 'prefix' ? v.p.text : v.k === 'range' ? (v.lo === v.hi ? String(v.lo) : `${v.lo}-${v.hi}`) : v.v; }

function selector(c: Cursor): { sel: Sel; l4: L4 | null } | null {
  const a = c.peek(), b = c.peek(1);
  if (a === undefined) return null;
  if ((a === 'tcp' || a === 'udp' || a === 'sctp') && (b === 'dport' || b === 'sport')) { c.i += 2; return { sel: `th ${b}`, l4: a }; }
  if (a === 'mark' || a === 'iifname' || a === 'oifname') {
    if (a === 'mark' && b === 'set') return null;
    c.i += 1; return { sel: `meta ${a}` as Sel, l4: null };
  }
  const two = `${a} ${b}`;
  if (two === 'meta mark' && c.peek(2) === 'set') return null;
  if (two in SELECTORS) { c.i += 2; return { sel: two as Sel, l4: null }; }
  return null;
}

function verdict(c: Cursor, ctx: RuleContext): NftVerdict | null {
  const w = c.peek();
  if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') { c.i++; return { v: w }; }
  if (w === 'jump' || w === 'goto') {
    c.i++;
    const chain = c.next('a chain name');
    if (!ctx.hasChain(chain)) throw c.err(`${w} to chain ${chain}, which does not exist`);
    return { v: w, chain };
  }
  return null;
}

/** `{ a , b }` or one word. */
function valueList(c: Cursor): string[] {
  if (!c.eat('{')) return [c.next('a value')];
  const out: string[] = [];
  for (;;) { out.push(c.next('a value')); if (c.eat('}')) return out; c.expect(','); }
}

/** Parses the statements of one `add rule` (after the chain name); returns them and the comment. */
export function parseRuleBody(c: Cursor, ctx: RuleContext): { stmts: NftStmt[]; comment: string | null } {
  const stmts: NftStmt[] = [];
  let comment: string | null = null;
  const num = (w: string): number => { if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(w)) throw c.err(`expected a number, got ${w}`); return Number(w) >>> 0; };
  const setRef = (w: string, want: 'set' | 'map'): string => {
    if (!w.startsWith('@')) throw c.err(`expected @${want}, got ${w}`);
    const name = w.slice(1), s = ctx.set(name);
    if (!s) throw c.err(`${want} ${name} does not exist`);
    if ((want === 'map') !== s.verdictMap) throw c.err(`${name} is not a ${want === 'map' ? 'verdict map' : 'set'}`);
    return name;
  };
  const checkKey = (e: Expr, name: string): void => {
    const kt = ctx.set(name)!.keyType, et = e.sels.map(typeOf);
    if (kt.join(' . ') !== et.join(' . ')) throw c.err(`key ${e.sels.join(' . ')} (${et.join(' . ')}) does not fit ${name} (${kt.join(' . ')})`);
  };
  while (!c.done()) {
    const w = c.peek()!;
    if (w === 'counter') { c.i++; continue; }
    if (w === 'comment') { c.i++; comment = c.next('a comment'); continue; }
    const v = verdict(c, ctx);
    if (v) { stmts.push({ k: 'verdict', v }); continue; }
    const start = selector(c);
    if (start) {
      const e: Expr = { sels: [start.sel], l4: start.l4, and: null };
      while (c.eat('.')) {
        const s = selector(c);
        if (!s) throw c.err(`expected a selector after '.', got ${c.peek() ?? 'end of line'}`);
        if (s.l4) throw c.err('use th dport/meta l4proto inside concatenations');
        e.sels.push(s.sel);
      }
      if (c.eat('and')) { if (e.sels.length > 1) throw c.err('mask on a concatenation'); e.and = num(c.next()); }
      if (c.eat('vmap')) {
        if (c.peek() === '{') throw c.err('anonymous verdict maps are supported only after numgen');
        const m = setRef(c.next('@map'), 'map'); checkKey(e, m);
        stmts.push({ k: 'vmap', e, map: m });
        continue;
      }
      const neg = c.eat('!=');
      if (!neg) c.eat('==');
      if (c.peek()?.startsWith('@')) { const s = setRef(c.next(), 'set'); checkKey(e, s); stmts.push({ k: 'lookup', e, neg, set: s }); continue; }
      if (e.sels.length > 1) throw c.err('comparing a concatenation with a constant is not supported');
      const ty = typeOf(e.sels[0]!);
      stmts.push({ k: 'cmp', e, neg, values: valueList(c).map((x) => parseValue(ty, x, c)) });
      continue;
    }
    c.i++;
    switch (w) {
      case 'fib': {
        const dir = c.next('saddr/daddr');
        if (dir !== 'saddr' && dir !== 'daddr') throw c.err(`fib ${dir} is not supported`);
        c.expect('type');
        const neg = c.eat('!=');
        const ty = c.next('an address type');
        if (ty !== 'local') throw c.err(`fib type ${ty} is not supported (only local)`);
        stmts.push({ k: 'fib', dir: dir === 'saddr' ? 'src' : 'dst', neg });
        break;
      }
      case 'numgen': {
        c.expect('random'); c.expect('mod');
        const mod = num(c.next());
        if (mod < 1) throw c.err('numgen mod 0');
        if (c.eat('vmap')) {
          c.expect('{');
          const entries = new Map<number, NftVerdict>();
          for (;;) {
            const k = num(c.next()); c.expect(':');
            const vv = verdict(c, ctx);
            if (!vv) throw c.err(`expected a verdict, got ${c.peek()}`);
            if (entries.has(k)) throw c.err(`duplicate key ${k}`);
            entries.set(k, vv);
            if (c.eat('}')) break;
            c.expect(',');
          }
          stmts.push({ k: 'numgen-vmap', mod, entries });
        } else {
          const neg = c.eat('!=');
          if (!neg) c.eat('==');
          stmts.push({ k: 'numgen', mod, neg, values: valueList(c).map(num) });
        }
        break;
      }
      case 'mark': case 'meta': {
        if (w === 'meta') c.expect('mark');
        c.expect('set');
        const x = c.next();
        if (x === 'mark' || (x === 'meta' && c.eat('mark'))) {
          const op = c.next('or/xor/and');
          if (op !== 'or' && op !== 'xor' && op !== 'and') throw c.err(`mark set mark ${op} is not supported`);
          stmts.push({ k: 'mark-set', op, value: num(c.next()) });
        } else stmts.push({ k: 'mark-set', op: 'set', value: num(x) });
        break;
      }
      case 'update': case 'add': {
        const s = setRef(c.next('@set'), 'set');
        if (!ctx.set(s)!.dynamic) throw c.err(`set ${s} is not dynamic`);
        c.expect('{');
        const sel = selector(c);
        if (!sel || sel.l4) throw c.err('expected a selector inside { }');
        c.expect('}');
        const e: Expr = { sels: [sel.sel], l4: null, and: null };
        checkKey(e, s);
        stmts.push({ k: 'update', set: s, e });
        break;
      }
      case 'dnat': {
        c.eat('ip');
        c.expect('to');
        const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(c.next('an address'));
        if (!m) throw c.err('dnat to must be ip[:port]');
        parseValue('ipv4_addr', m[1]!, c);
        stmts.push({ k: 'dnat', ip: m[1]!, port: m[2] === undefined ? null : Number(m[2]) });
        break;
      }
      case 'masquerade':
        while (c.peek() === 'fully-random' || c.peek() === 'random' || c.peek() === 'persistent' || c.peek() === ',') c.i++;
        stmts.push({ k: 'masquerade' });
        break;
      case 'reject':
        if (c.eat('with')) {
          const how = c.next('tcp/icmp/icmpx');
          if (how === 'tcp') c.expect('reset'); else { c.expect('type'); c.next('a reject type'); }
        }
        stmts.push({ k: 'reject' });
        break;
      default: throw c.err(`unsupported statement or match '${w}'`);
    }
  }
  return { stmts, comment };
}
