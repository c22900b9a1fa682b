import { createRequire } from 'node:module';
import type { Question, RecordType } from 'dns-packet';
import { answerQuestion, dashedIP, type ZoneConfig } from './records.js';
import type { ClusterView } from './view.js';
import { buildResponse, OUR_UDP } from './respond.js';
import { questionKey, udpLimit, type SimpleQuery } from './question.js';

const typeName = (createRequire(import.meta.url)('dns-packet/types.js') as { toString(t: number): string }).toString;

/** Query types precomputed for every name the view knows. */
const SERVICE_TYPES = ['A', 'AAAA', 'SRV'] as const;
const MAX_LEARNED = 50_000;

/** One prebuilt response: ID 0, RD clear, the question name lowercased. */
export interface Template { readonly tpl: Buffer; readonly type: string }

/**
 * Wire-format answers for one generation of the view, keyed by question (see question.ts). A hit
 * is a copy of the template with the ID, RD bit and the question's own spelling (0x20 case)
 * patched in. Templates come from the same code as the full path (answerQuestion, buildResponse),
 * so the bytes are the same; answers the full path computes for other names can be learned.
 */
export class AnswerTable {
  private readonly learned = new Map<string, Template>();
  constructor(readonly gen: number, private readonly entries: Map<string, Template>) {}

  get size(): number { return this.entries.size + this.learned.size; }

  /** The response for a parsed query, or undefined when this table cannot answer it. */
  answer(msg: Buffer, q: SimpleQuery): { out: Buffer; type: string } | undefined {
    const t = this.lookup(q);
    if (!t) return undefined;
    const out = Buffer.allocUnsafe(t.tpl.length);
    AnswerTable.write(t, out, msg, q);
    return { out, type: t.type };
  }

  /** The template answering a parsed query, or undefined when this table cannot answer it. */
  lookup(q: SimpleQuery): Template | undefined {
    const t = this.entries.get(q.key) ?? this.learned.get(q.key);
    // No-EDNS templates are cut to 512 already; an EDNS one fits any limit at least its size.
    if (!t || (q.edns && t.tpl.length > udpLimit(q))) return undefined;
    return t;
  }

  /** Writes the response for `q` (asked in `msg`) from template `t` into `out`; returns its length. */
  static write(t: Template, out: Buffer, msg: Buffer, q: SimpleQuery): number {
    t.tpl.copy(out, 0);
    out.writeUInt16BE(q.id, 0);
    if (q.rd) out[2]! |= 0x01;
    msg.copy(out, 12, 12, q.nameEnd);
    return t.tpl.length;
  }

  /**
   * A full-path response as a template for this generation: ID 0, RD clear, the name lowercased.
   * The caller vouches that it came from the view alone (authoritative, nothing forwarded) and,
   * for EDNS, that nothing was dropped to fit.
   */
  static template(q: SimpleQuery, out: Buffer): Buffer {
    const tpl = Buffer.from(out);
    tpl.writeUInt16BE(0, 0);
    tpl[2]! &= ~0x01;
    for (let i = 12; i < q.nameEnd; i++) if (tpl[i]! >= 0x41 && tpl[i]! <= 0x5a) tpl[i]! |= 0x20;
    return tpl;
  }

  /** Adds a template (see template()), keyed as question.ts keys its query. */
  adopt(key: string, tpl: Buffer): void {
    if (this.learned.size >= MAX_LEARNED || this.entries.has(key)) return;
    this.learned.set(key, { tpl, type: typeName(tpl.readUInt16BE(12 + key.length - 5)) });
  }

  /** The precomputed entries as one buffer: gen (f64), count (u32), then key/template pairs. */
  encode(): Buffer {
    let size = 12;
    for (const [k, t] of this.entries) size += 4 + k.length + t.tpl.length;
    const buf = Buffer.allocUnsafe(size);
    buf.writeDoubleBE(this.gen, 0);
    buf.writeUInt32BE(this.entries.size, 8);
    let o = 12;
    for (const [k, t] of this.entries) {
      buf.writeUInt16BE(k.length, o); o += 2;
      o += buf.write(k, o, 'latin1');
      buf.writeUInt16BE(t.tpl.length, o); o += 2;
      o += t.tpl.copy(buf, o);
    }
    return buf;
  }

  static decode(buf: Buffer): AnswerTable {
    const gen = buf.readDoubleBE(0);
    const n = buf.readUInt32BE(8);
    const entries = new Map<string, Template>();
    let o = 12;
    for (let i = 0; i < n; i++) {
      const kl = buf.readUInt16BE(o); o += 2;
      const key = buf.toString('latin1', o, o + kl); o += kl;
      const tl = buf.readUInt16BE(o); o += 2;
      const tpl = Buffer.from(buf.subarray(o, o + tl)); o += tl;
      entries.set(key, { tpl, type: typeName(tpl.readUInt16BE(12 + kl - 5)) });
    }
    return new AnswerTable(gen, entries);
  }
}

/** The names the view answers for, each with the query types worth precomputing. */
function knownQuestions(view: ClusterView, zone: string): [string, readonly string[]][] {
  const out: [string, readonly string[]][] = [];
  if (!view.listServices) return out;
  const namespaces = new Set<string>();
  const ips = new Set<string>();
  for (const s of view.listServices()) {
    const fqdn = `${s.name}.${s.namespace}.svc.${zone}`;
    namespaces.add(s.namespace);
    out.push([fqdn, SERVICE_TYPES]);
    for (const p of s.ports) if (p.name) out.push([`_${p.name}._${p.protocol.toLowerCase()}.${fqdn}`, ['SRV']]);
    for (const ip of s.clusterIPs) ips.add(ip);
    if (s.headless) {
      for (const e of view.endpoints(s.namespace, s.name)) {
        ips.add(e.ip);
        if (e.ready || s.publishNotReadyAddresses) out.push([`${e.hostname ?? dashedIP(e.ip)}.${fqdn}`, ['A', 'AAAA']]);
      }
    }
  }
  for (const ns of namespaces) out.push([`${ns}.svc.${zone}`, ['A', 'AAAA']]);
  for (const ip of ips) out.push([reverseName(ip), ['PTR']]);
  return out;
}

function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const groups = ip.split('::');
  const head = groups[0] ? groups[0].split(':') : [];
  const tail = groups.length > 1 && groups[1] ? groups[1].split(':') : [];
  const full = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail].map((g) => g.padStart(4, '0')).join('');
  return `${[...full].reverse().join('.')}.ip6.arpa`;
}

/** Our OPT record as buildResponse writes it: root owner, type 41, payload size, no flags or options. */
const OPT_RR = Buffer.from([0, 0, 41, OUR_UDP >> 8, OUR_UDP & 0xff, 0, 0, 0, 0, 0, 0]);
function withOpt(out: Buffer): Buffer {
  const b = Buffer.concat([out, OPT_RR]);
  b.writeUInt16BE(b.readUInt16BE(10) + 1, 10);
  return b;
}

const PLAIN_NAME = /^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/;

/**
 * Precomputes the answers of every known name × type, with and without EDNS, for the view's
 * current generation. Names answered partly from upstream (ExternalName outside the zone) and
 * names the fast path would not accept are left to the full path.
 */
export function buildAnswerTable(view: ClusterView, cfg: ZoneConfig): AnswerTable {
  const steps = answerTableSteps(view, cfg);
  for (;;) { const r = steps.next(); if (r.done) return r.value; }
}

/**
 * The same build in steps of about `sliceMs`, so a server can keep answering in between; the
 * caller must drop the build if the view changes before it is done (see DnsServer).
 */
export function* answerTableSteps(view: ClusterView, cfg: ZoneConfig, sliceMs = Infinity): Generator<void, AnswerTable> {
  const gen = view.generation();
  const entries = new Map<string, Template>();
  let sliceStart = performance.now();
  for (const [name, types] of knownQuestions(view, cfg.zone)) {
    if (performance.now() - sliceStart > sliceMs) { yield; sliceStart = performance.now(); }
    if (name.length > 253 || !PLAIN_NAME.test(name)) continue;
    for (const type of types) {
      const res = answerQuestion(name, type, view, cfg);
      if (!res || res.chaseTarget !== undefined) continue;
      const question = { name, type: type as RecordType, class: 'IN' } as Question;
      const nameEnd = 12 + name.length + 2;
      const plain = buildResponse({ ...res, aa: true }, { id: 0, opcode: 0, rd: false, question, edns: false, limit: 512 });
      entries.set(questionKey(plain.out, nameEnd, false), { tpl: plain.out, type });
      // With EDNS the response is the same plus our OPT record last, unless it had to be cut to fit.
      const edns = plain.complete ? withOpt(plain.out)
        : buildResponse({ ...res, aa: true }, { id: 0, opcode: 0, rd: false, question, edns: true, limit: 4096 }).out;
      entries.set(questionKey(edns, nameEnd, true), { tpl: edns, type });
    }
  }
  return new AnswerTable(gen, entries);
}
