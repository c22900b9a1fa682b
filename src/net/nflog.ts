/**
 * Reading an NFLOG group inside a network namespace: tcpdump listens on `nflog:GROUP` and writes
 * pcap (link type 239, LINKTYPE_NFLOG) to stdout; `NflogPcapReader` turns that byte stream into
 * records (time, the log rule's prefix, the packet). NFLOG record: family u8, version u8,
 * resource id u16 (big-endian), then TLVs (length u16, type u16 in host order, value padded to 4
 * bytes); type 10 is NFULA_PREFIX (NUL-terminated), type 9 NFULA_PAYLOAD (the network-layer packet).
 * Only one listener can bind a group per netns: while this runs nothing else can read the group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PodnetError } from '../util/errors.js';
import { argvInNetns } from './spawn.js';
import type { NetnsPath } from './exec.js';

export class NflogError extends PodnetError {
  constructor(message: string) { super('ENFLOG', message); }
}

export const LINKTYPE_NFLOG = 239;
const NFULA_PAYLOAD = 9;
const NFULA_PREFIX = 10;

export interface NflogRecord {
  /** capture time, milliseconds since the epoch */
  timeMs: number;
  /** address family of the packet (2 = IPv4) */
  family: number;
  group: number;
  prefix: string;
  payload: Uint8Array;
}

export function nflogArgv(group: number): string[] {
  if (!Number.isInteger(group) || group < 0 || group > 65535) throw new NflogError(`nflog group must be 0-65535, not ${group}`);
  // -U: each packet written as it comes; -Z root: keep root (no file to open later anyway)
  return ['tcpdump', '-n', '-i', `nflog:${group}`, '-U', '-Z', 'root', '-w', '-'];
}

/** One NFLOG link-layer record (pure); `le`: the TLVs' byte order (the capturing host's). */
export function parseNflogRecord(b: Buffer, timeMs: number, le = true): NflogRecord {
  if (b.length < 4) throw new NflogError(`NFLOG record of ${b.length} bytes`);
  const rec: NflogRecord = { timeMs, family: b[0]!, group: b.readUInt16BE(2), prefix: '', payload: new Uint8Array() };
  let o = 4;
  while (o + 4 <= b.length) {
    const len = le ? b.readUInt16LE(o) : b.readUInt16BE(o);
    const type = (le ? b.readUInt16LE(o + 2) : b.readUInt16BE(o + 2)) & 0x7fff;
    if (len < 4 || o + len > b.length) break;
    const v = b.subarray(o + 4, o + len);
    if (type === NFULA_PREFIX) rec.prefix = v.toString('latin1').replace(/\0.*$/s, '');
    else if (type === NFULA_PAYLOAD) rec.payload = new Uint8Array(v);
    o += (len + 3) & ~3;
  }
  return rec;
}

/** A pcap byte stream (tcpdump -w -) of link type NFLOG → records, fed chunk by chunk. */
export class NflogPcapReader {
  private buf: Buffer = Buffer.alloc(0);
  private le?: boolean;
  private nsec = false;
  push(chunk: Buffer): NflogRecord[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: NflogRecord[] = [];
    if (this.le === undefined) {
      if (this.buf.length < 24) return out;
      const magic = this.buf.readUInt32LE(0);
      if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.le = true;
      else if (this.buf.readUInt32BE(0) === 0xa1b2c3d4 || this.buf.readUInt32BE(0) === 0xa1b23c4d) this.le = false;
      else throw new NflogError(`not a pcap stream (magic ${magic.toString(16)})`);
      this.nsec = (this.le ? magic : this.buf.readUInt32BE(0)) === 0xa1b23c4d;
      const link = this.le ? this.buf.readUInt32LE(20) : this.buf.readUInt32BE(20);
      if ((link & 0xffff) !== LINKTYPE_NFLOG) throw new NflogError(`pcap link type ${link}, not NFLOG (${LINKTYPE_NFLOG})`);
      this.buf = this.buf.subarray(24);
    }
    const u32 = (o: number): number => (this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o));
    while (this.buf.length >= 16) {
      const incl = u32(8);
      if (this.buf.length < 16 + incl) break;
      const timeMs = u32(0) * 1000 + Math.floor(u32(4) / (this.nsec ? 1e6 : 1e3));
      out.push(parseNflogRecord(Buffer.from(this.buf.subarray(16, 16 + incl)), timeMs, this.le));
      this.buf = this.buf.subarray(16 + incl);
    }
    return out;
  }
}

export interface NflogListener { child: ChildProcess; /** resolves once tcpdump has bound the group */ ready: Promise<void> }

/** Listens on nflog:`group` in `ns`; each record goes to `onRecord`. Stop it with child.kill('SIGINT'). */
export function listenNflog(ns: NetnsPath, group: number, onRecord: (r: NflogRecord) => void): NflogListener {
  const argv = argvInNetns(ns, nflogArgv(group));
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const reader = new NflogPcapReader();
  child.stdout!.on('data', (d: Buffer) => { for (const r of reader.push(d)) onRecord(r); });
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (/listening on/.test(err)) resolve(); });
    child.once('error', (e) => reject(new NflogError(`tcpdump: ${e.message}`)));
    child.once('exit', (code) => reject(new NflogError(`tcpdump on nflog:${group} exited (${code}): ${err.trim()}`)));
  });
  ready.catch(() => undefined); // a listener stopped before it bound is not an unhandled rejection
  return { child, ready };
}
