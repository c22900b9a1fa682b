/**
 * tcpdump inside a network namespace: the argv (pure) and the running capture. Ring buffers as
 * tcpdump has them: `-C MB` starts a new file every MB (10^6 bytes), `-G SECONDS` every SECONDS,
 * and `-W N` keeps N files (with -C: a ring, the oldest overwritten; with -G alone: stops after N).
 * Refuses the host's namespace like every podnet command.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { PodnetError } from '../util/errors.js';
import { argvInNetns } from './spawn.js';
import type { NetnsPath } from './exec.js';

export class TcpdumpError extends PodnetError {
  constructor(message: string) { super('ETCPDUMP', message); }
}

export interface TcpdumpOptions {
  iface: string;
  /** The capture filter (pcap-filter words). */
  filter?: readonly string[];
  /** Write packets to this file (pcap) instead of decoding them. */
  write?: string;
  /** -W: how many files to keep. */
  files?: number;
  /** -C: megabytes (10^6 bytes) per file. */
  sizeMB?: number;
  /** -G: seconds per file. */
  rotateSeconds?: number;
  /** -c: stop after this many packets. */
  count?: number;
  /** -s: bytes captured per packet (tcpdump's default: the whole packet). */
  snaplen?: number;
  /** -v levels for the live decode. */
  verbose?: number;
}

const posInt = (what: string, n: number | undefined): void => {
  if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new TcpdumpError(`${what} must be a positive integer, not ${n}`);
};

/** tcpdump's argv for the options; throws TcpdumpError on combinations tcpdump would refuse or ignore. */
export function tcpdumpArgv(o: TcpdumpOptions): string[] {
  if (!/^[A-Za-z0-9_.@:-]{1,15}$/.test(o.iface) && o.iface !== 'any') throw new TcpdumpError(`bad interface name "${o.iface}"`);
  posInt('--files', o.files); posInt('--size', o.sizeMB); posInt('--rotate', o.rotateSeconds); posInt('-c', o.count); posInt('-s', o.snaplen);
  const ring = o.files !== undefined || o.sizeMB !== undefined || o.rotateSeconds !== undefined;
  if (ring && !o.write) throw new TcpdumpError('--files, --size and --rotate need -w FILE');
  if (o.files !== undefined && o.sizeMB === undefined && o.rotateSeconds === undefined) throw new TcpdumpError('--files needs --size or --rotate (tcpdump -W counts the files -C or -G make)');
  const a = ['tcpdump', '-n', '-i', o.iface];
  if (o.snaplen) a.push('-s', String(o.snaplen));
  if (o.write) {
    // -Z root: keep root after opening the capture, or rotating into a root-owned directory fails
    a.push('-w', o.rotateSeconds !== undefined ? timedName(o.write) : o.write, '-Z', 'root');
    if (o.sizeMB !== undefined) a.push('-C', String(o.sizeMB));
    if (o.rotateSeconds !== undefined) a.push('-G', String(o.rotateSeconds));
    if (o.files !== undefined) a.push('-W', String(o.files));
  } else {
    a.push('-l'); // line-buffered: each packet as it comes
    if (o.verbose) a.push('-' + 'v'.repeat(Math.min(3, o.verbose)));
  }
  if (o.count !== undefined) a.push('-c', String(o.count));
  if (o.filter?.length) a.push(...o.filter);
  return a;
}

/**
 * With -G tcpdump names each file by strftime(FILE): a name without a % conversion would be
 * overwritten at every rotation, so one gets `-%Y%m%d-%H%M%S` before its extension.
 */
export function timedName(file: string): string {
  if (file.includes('%')) return file;
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  const at = dot > slash + 1 ? dot : file.length;
  return `${file.slice(0, at)}-%Y%m%d-%H%M%S${file.slice(at)}`;
}

/** What tcpdump does with these options that a user may not expect (printed before the capture). */
export function tcpdumpNotes(o: TcpdumpOptions): string[] {
  const n: string[] = [];
  if (o.files !== undefined && o.sizeMB !== undefined && o.rotateSeconds !== undefined) n.push('tcpdump ignores -W (--files) when both -C (--size) and -G (--rotate) are given: no file limit');
  else if (o.files !== undefined && o.rotateSeconds !== undefined) n.push(`with -G and -W (no -C) tcpdump stops after ${o.files} files instead of overwriting the oldest`);
  if (o.write && o.rotateSeconds !== undefined && !o.write.includes('%')) n.push(`-G names files by time: writing ${timedName(o.write)}`);
  return n;
}

/**
 * The names tcpdump gives the files of a ring: with -W N and -C, FILE then a number padded to the
 * width of N−1 (file.pcap0 … file.pcap2 for N=3); with -C alone FILE, FILE1, FILE2, …
 */
export function ringFileName(file: string, index: number, files?: number): string {
  if (files !== undefined) return `${file}${String(index).padStart(String(files - 1).length, '0')}`;
  return index === 0 ? file : `${file}${index}`;
}

/** Starts tcpdump in ns; the caller owns the process (stop it with SIGINT so it flushes its files). */
export function startTcpdump(ns: NetnsPath, o: TcpdumpOptions, stdio: StdioOptions = 'inherit'): ChildProcess {
  const argv = argvInNetns(ns, tcpdumpArgv(o));
  return spawn(argv[0]!, argv.slice(1), { stdio });
}
