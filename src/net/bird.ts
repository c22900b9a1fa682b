/**
 * BIRD 2 (the BGP speaker Calico uses) inside a namespace: start it with its own config, control
 * socket and pid file; ask it through birdc; reconfigure; stop it. BIRD daemonises itself; the
 * control socket is how we find it again after an agent restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { nsExec, type NetnsPath } from './exec.js';

export interface BirdPaths { conf: string; socket: string; pidFile: string }

export const BIRD = '/usr/sbin/bird';
export const BIRDC = '/usr/sbin/birdc';

export class BirdError extends Error {
  readonly code = 'EBIRD';
}

/** birdc's answer to one command (raw text; `ok` false when BIRD is unreachable or reports an error). */
export async function birdc(ns: NetnsPath, socket: string, command: string[]): Promise<{ ok: boolean; text: string }> {
  const r = await nsExec(ns, [BIRDC, '-s', socket, ...command], { allowFail: true, timeoutMs: 10_000 });
  const text = r.stdout + r.stderr;
  return { ok: r.code === 0 && !/Unable to connect|^\d*[89]\d\d[- ]/m.test(text), text };
}

/** True when a BIRD answers on the socket. */
export async function birdRunning(ns: NetnsPath, socket: string): Promise<boolean> {
  if (!existsSync(socket)) return false;
  return (await birdc(ns, socket, ['show', 'status'])).ok;
}

/** Checks a config file with `bird -p` (parse only). Throws BirdError with BIRD's message. */
export async function birdCheckConfig(ns: NetnsPath, conf: string): Promise<void> {
  const r = await nsExec(ns, [BIRD, '-p', '-c', conf], { allowFail: true });
  if (r.code !== 0) throw new BirdError(`bird.conf ${conf} rejected: ${(r.stderr || r.stdout).trim()}`);
}

/** Starts BIRD in ns (it daemonises); resolves once its control socket answers. */
export async function startBird(ns: NetnsPath, p: BirdPaths): Promise<void> {
  const r = await nsExec(ns, [BIRD, '-c', p.conf, '-s', p.socket, '-P', p.pidFile], { allowFail: true, timeoutMs: 10_000 });
  if (r.code !== 0) throw new BirdError(`bird failed to start: ${(r.stderr || r.stdout).trim()}`);
  for (let i = 0; i < 100; i++) {
    if (await birdRunning(ns, p.socket)) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new BirdError(`bird started but ${p.socket} does not answer`);
}

/** `birdc configure`: BIRD re-reads its config file (sessions whose settings did not change stay up). */
export async function reconfigureBird(ns: NetnsPath, socket: string): Promise<string> {
  const r = await birdc(ns, socket, ['configure']);
  if (!r.ok || /error/i.test(r.text)) throw new BirdError(`birdc configure failed: ${r.text.trim()}`);
  return r.text;
}

/** The pid BIRD wrote, if that process still runs. */
export function birdPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch { return undefined; }
}

/** Stops BIRD (SIGTERM to its pid; BIRD withdraws the routes it installed as it exits). */
export async function stopBird(pidFile: string): Promise<boolean> {
  const pid = birdPid(pidFile);
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && birdPid(pidFile) === pid; i++) await new Promise((res) => setTimeout(res, 50));
  return true;
}

export interface BirdProtocol { name: string; proto: string; state: string; since: string; info: string }

/** Parses `birdc show protocols` (pure): Name Proto Table State Since Info. */
export function parseProtocols(text: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  const re = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\d(?: \d\d:\d\d:\d\d(?:\.\d+)?)?)\s*(.*)$/;
  for (const line of text.split('\n')) {
    const m = re.exec(line.trimEnd());
    if (!m || m[1] === 'Name') continue;
    out.push({ name: m[1]!, proto: m[2]!, state: m[4]!, since: m[5]!, info: m[6]!.trim() });
  }
  return out;
}
