import type { Hook } from './engine.js';
import { Cursor, lex } from './nft-lex.js';
import { parseRuleBody, parseValue, valueKey, type DataType, type NftStmt, type NftVerdict, type RuleContext, type Value } from './nft-rule.js';
import { type Verdict } from './types.js';

export interface NftRule { line: number; text: string; chain: string; stmts: NftStmt[]; comment: string | null }
export interface NftChain {
  name: string;
  base: { type: 'filter' | 'nat'; hook: Hook; priority: number; policy: Verdict } | null;
  rules: NftRule[];
}
export interface NftSet {
  name: string;
  keyType: DataType[];
  verdictMap: boolean;
  flags: Set<string>;
  /** default element timeout in seconds (dynamic sets), null for none */
  timeout: number | null;
  elements: Map<string, { key: Value[]; value: NftVerdict | null }>;
}
export interface NftTable { family: string; name: string; chains: Map<string, NftChain>; sets: Map<string, NftSet> }
/** "family name" → table, as `nft list ruleset` would show. */
export type NftState = Map<string, NftTable>;

export function emptyNft(): NftState { return new Map(); }

const KEY_TYPES = new Set<DataType>(['ipv4_addr', 'inet_proto', 'inet_service', 'mark', 'ifname', 'ct_state']);
const PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const HOOKS = new Set<Hook>(['prerouting', 'input', 'forward', 'output', 'postrouting']);

/** Applies an `nft -f` script, command by command, checking what nft would refuse. */
export function applyNft(s: NftState, script: string): void {
  script.split('\n').forEach((raw, idx) => {
    const line = raw.trim(), n = idx + 1;
    if (!line || line.startsWith('#')) return;
    command(s, new Cursor(lex(line, n), n, line));
  });
}

function command(s: NftState, c: Cursor): void {
  const verb = c.next('a command'), kind = c.next('an object kind');
  const family = c.next('a family');
  if (family !== 'ip' && family !== 'inet') throw c.err(`family ${family} is not supported`);
  const tname = c.next('a table name');
  const key = `${family} ${tname}`;
  if (kind === 'table') {
    if (verb === 'add' || verb === 'create') {
      if (s.has(key)) { if (verb === 'create') throw c.err('table exists'); }
      else s.set(key, { family, name: tname, chains: new Map(), sets: new Map() });
      if (c.eat('{')) skipBlock(c, ['comment']);
    } else if (verb === 'delete') { if (!s.delete(key)) throw c.err('no such table'); }
    else throw c.err(`${verb} table is not supported`);
    return;
  }
  const t = s.get(key);
  if (!t) throw c.err(`table ${key} does not exist`);
  const name = c.next('a name');
  switch (`${verb} ${kind}`) {
    case 'add chain': case 'create chain': addChain(t, name, c, verb === 'create'); break;
    case 'flush chain': chain(t, name, c).rules = []; break;
    case 'delete chain': deleteChain(t, name, c); break;
    case 'add rule': case 'insert rule': {
      const ch = chain(t, name, c);
      const { stmts, comment } = parseRuleBody(c, context(t));
      const r: NftRule = { line: c.n, text: c.line, chain: name, stmts, comment };
      if (verb === 'add') ch.rules.push(r); else ch.rules.unshift(r);
      break;
    }
    case 'add set': case 'add map': addSet(t, name, kind === 'map', c); break;
    case 'flush set': case 'flush map': set(t, name, c).elements.clear(); break;
    case 'delete set': case 'delete map': deleteSet(t, name, c); break;
    case 'add element': case 'delete element': element(t, name, verb === 'add', c); break;
    default: throw c.err(`unsupported command ${verb} ${kind}`);
  }
  if (!c.done()) throw c.err(`unexpected '${c.peek()}'`);
}

function context(t: NftTable): RuleContext {
  return {
    hasChain: (n) => t.chains.has(n),
    set: (n) => { const x = t.sets.get(n); return x && { keyType: x.keyType, verdictMap: x.verdictMap, dynamic: x.flags.has('dynamic') }; },
  };
}
function chain(t: NftTable, n: string, c: Cursor): NftChain { const x = t.chains.get(n); if (!x) throw c.err(`chain ${n} does not exist`); return x; }
function set(t: NftTable, n: string, c: Cursor): NftSet { const x = t.sets.get(n); if (!x) throw c.err(`set/map ${n} does not exist`); return x; }

/** `{ comment "…" ; … }`: accepted keys only; the values are not needed for tracing. */
function skipBlock(c: Cursor, keys: string[]): void {
  while (!c.eat('}')) {
    const k = c.next('a key');
    if (k === ';') continue;
    if (!keys.includes(k)) throw c.err(`unsupported '${k}'`);
    c.next('a value');
  }
}

function addChain(t: NftTable, n: string, c: Cursor, create: boolean): void {
  let base: NftChain['base'] = null;
  if (c.eat('{')) {
    while (!c.eat('}')) {
      const k = c.next('a chain property');
      if (k === ';') continue;
      if (k === 'comment') { c.next(); continue; }
      if (k === 'policy') { const p = c.next(); if (!base || (p !== 'accept' && p !== 'drop')) throw c.err('policy needs a base chain and accept/drop'); base.policy = p === 'accept' ? 'ACCEPT' : 'DROP'; continue; }
      if (k !== 'type') throw c.err(`unsupported chain property ${k}`);
      const type = c.next();
      if (type !== 'filter' && type !== 'nat') throw c.err(`chain type ${type} is not supported`);
      c.expect('hook');
      const hook = c.next() as Hook;
      if (!HOOKS.has(hook)) throw c.err(`unknown hook ${hook}`);
      c.expect('priority');
      const p = c.next();
      const priority = /^-?\d+$/.test(p) ? Number(p) : PRIORITIES[p];
      if (priority === undefined) throw c.err(`unknown priority ${p}`);
      base = { type, hook, priority, policy: 'ACCEPT' };
    }
  }
  const old = t.chains.get(n);
  if (old) {
    if (create) throw c.err('chain exists');
    if (base && JSON.stringify(old.base) !== JSON.stringify(base)) throw c.err('chain exists with another hook');
    return;
  }
  t.chains.set(n, { name: n, base, rules: [] });
}

function references(t: NftTable, pred: (v: NftVerdict | null, st?: NftStmt) => boolean): string | null {
  for (const ch of t.chains.values()) for (const r of ch.rules) for (const st of r.stmts) {
    if (st.k === 'verdict' && pred(st.v)) return `rule at line ${r.line}`;
    if (st.k === 'numgen-vmap' && [...st.entries.values()].some((v) => pred(v))) return `rule at line ${r.line}`;
    if (pred(null, st)) return `rule at line ${r.line}`;
  }
  for (const m of t.sets.values()) for (const e of m.elements.values()) if (pred(e.value)) return `an element of ${m.name}`;
  return null;
}

function deleteChain(t: NftTable, n: string, c: Cursor): void {
  const ch = chain(t, n, c);
  if (ch.rules.length) throw c.err(`chain ${n} is not empty (EBUSY)`);
  const by = references(t, (v) => !!v && (v.v === 'jump' || v.v === 'goto') && v.chain === n);
  if (by) throw c.err(`chain ${n} is still referenced by ${by} (EBUSY)`);
  t.chains.delete(n);
}

function addSet(t: NftTable, n: string, isMap: boolean, c: Cursor): void {
  c.expect('{');
  const s: NftSet = { name: n, keyType: [], verdictMap: false, flags: new Set(), timeout: null, elements: new Map() };
  while (!c.eat('}')) {
    const k = c.next('a set property');
    if (k === ';') continue;
    if (k === 'comment') { c.next(); continue; }
    if (k === 'counter') { s.flags.add('counter'); continue; }
    if (k === 'type') {
      for (;;) {
        const ty = c.next('a type') as DataType;
        if (!KEY_TYPES.has(ty)) throw c.err(`unsupported key type ${ty}`);
        s.keyType.push(ty);
        if (!c.eat('.')) break;
      }
      if (isMap) { c.expect(':'); if (c.next('a value type') !== 'verdict') throw c.err('only verdict maps are supported'); s.verdictMap = true; }
    } else if (k === 'flags') {
      for (;;) { const f = c.next(); if (!['dynamic', 'timeout', 'interval', 'constant'].includes(f)) throw c.err(`unknown flag ${f}`); s.flags.add(f); if (!c.eat(',')) break; }
    } else if (k === 'timeout') {
      const m = /^(\d+)s$/.exec(c.next());
      if (!m) throw c.err('timeout must be Ns');
      s.timeout = Number(m[1]);
    } else throw c.err(`unsupported set property ${k}`);
  }
  if (!s.keyType.length) throw c.err('set without a type');
  if (isMap && !s.verdictMap) throw c.err('map without a value type');
  const old = t.sets.get(n);
  if (old) {
    if (old.keyType.join('.') !== s.keyType.join('.') || old.verdictMap !== s.verdictMap) throw c.err(`${n} exists with another type`);
    return;
  }
  t.sets.set(n, s);
}

function deleteSet(t: NftTable, n: string, c: Cursor): void {
  set(t, n, c);
  const by = references(t, (_v, st) => !!st && (st.k === 'lookup' || st.k === 'vmap' || st.k === 'update') && (st.k === 'vmap' ? st.map : st.set) === n);
  if (by) throw c.err(`set ${n} is still referenced by ${by} (EBUSY)`);
  t.sets.delete(n);
}

function element(t: NftTable, n: string, add: boolean, c: Cursor): void {
  const s = set(t, n, c);
  c.expect('{');
  for (;;) {
    const key: Value[] = [];
    for (const ty of s.keyType) {
      if (key.length) c.expect('.');
      key.push(parseValue(ty, c.next('a key'), c));
    }
    const k = key.map(valueKey).join(' . ');
    let value: NftVerdict | null = null;
    if (s.verdictMap && add) {
      c.expect(':');
      const w = c.next('a verdict');
      if (w === 'jump' || w === 'goto') {
        const target = c.next('a chain');
        if (!t.chains.has(target)) throw c.err(`element ${k} of ${n}: ${w} to chain ${target}, which does not exist`);
        value = { v: w, chain: target };
      } else if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') value = { v: w };
      else throw c.err(`'${w}' is not a verdict`);
    }
    const old = s.elements.get(k);
    if (add) {
      if (old && JSON.stringify(old.value) !== JSON.stringify(value)) throw c.err(`element ${k} of ${n} exists with another value (EEXIST)`);
      s.elements.set(k, { key, value });
    } else if (!s.elements.delete(k)) throw c.err(`element ${k} of ${n} does not exist (ENOENT)`);
    if (c.eat('}')) return;
    c.expect(',');
  }
}
