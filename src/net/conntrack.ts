import { spawn, type ChildProcess } from 'node:child_process';
import { CommandError } from '../util/errors.js';
import { nsExec, type NetnsPath } from './exec.js';
import { argvInNetns } from './spawn.js';

/** Deletes conntrack entries of a UDP service IP/port (stale after its endpoints change), as kube-proxy does. */
export async function conntrackDeleteUdp(ns: NetnsPath, origDst: string, port?: number): Promise<void> {
  const args = ['conntrack', '-D', '-p', 'udp', '--orig-dst', origDst, ...(port ? ['--orig-port-dst', String(port)] : [])];
  await nsExec(ns, args, { allowFail: true });
}

/** Deletes UDP conntrack entries DNATed to an endpoint that went away. */
export async function conntrackDeleteUdpEndpoint(ns: NetnsPath, endpointIP: string): Promise<void> {
  await nsExec(ns, ['conntrack', '-D', '-p', 'udp', '--reply-src', endpointIP], { allowFail: true });
}

/** The conntrack table of `ns` as `conntrack -L -o extended` prints it (one entry a line). */
export async function conntrackList(ns: NetnsPath): Promise<string> {
  const r = await nsExec(ns, ['conntrack', '-L', '-o', 'extended'], { allowFail: true });
  if (r.code !== 0) throw new CommandError(['conntrack', '-L'], r.code, r.stderr);
  return r.stdout;
}

/** argv of the event listener: new, updated and destroyed entries, each with its event time. */
export function conntrackEventsArgv(): string[] {
  return ['conntrack', '-E', '-e', 'NEW,UPDATE,DESTROY', '-o', 'timestamp,extended', '--buffer-size', '4194304'];
}

export interface ConntrackEventStream {
  child: ChildProcess;
  /** resolves 200 ms after conntrack started (it binds its netlink socket right after exec) */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Streams conntrack events of `ns` line by line to `onLine` (`conntrack -E … -o timestamp,extended`,
 * stdout line-buffered by the tool itself); stderr lines (its summary, errors) go to `onError`.
 */
export function streamConntrackEvents(ns: NetnsPath, onLine: (line: string) => void, onError: (text: string) => void = () => undefined): ConntrackEventStream {
  const argv = argvInNetns(ns, conntrackEventsArgv());
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let rest = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) onLine(l);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { if (!/flow events have been shown/.test(d)) onError(d); });
  // conntrack subscribes to the netlink groups right after it starts: give it a moment past the spawn
  const ready = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => setTimeout(() => (child.exitCode === null ? resolve() : reject(new CommandError(argv, child.exitCode, 'exited at start'))), 200));
    child.once('error', (e) => reject(new CommandError(argv, null, e.message)));
  });
  ready.catch(() => undefined);
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  return {
    child, ready,
    stop: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT'); await exited; },
  };
}
