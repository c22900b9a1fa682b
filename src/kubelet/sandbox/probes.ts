/** Probes from inside a pod: TCP connect and HTTP GET in its network namespace, commands in a container. */
import { nsExec } from '../../net/exec.js';
import { execInProcessNamespaces } from '../../net/nsproc.js';

/** TCP connect from inside the pod's netns. */
export async function probeTcp(netnsPath: string, host: string, port: number, timeoutMs: number): Promise<boolean> {
  const r = await nsExec(netnsPath, ['bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)], { allowFail: true, timeoutMs });
  return r.code === 0;
}

/** HTTP GET from inside the pod's netns; success is a status in 200..399. */
export async function probeHttp(netnsPath: string, url: string, headers: Record<string, string>, timeoutMs: number): Promise<boolean> {
  const hdr = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const r = await nsExec(netnsPath, ['curl', '-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', String(Math.max(1, timeoutMs / 1000)), ...hdr, url],
    { allowFail: true, timeoutMs: timeoutMs + 1000 });
  const code = Number(r.stdout.trim());
  return code >= 200 && code < 400;
}

/** Runs a command inside a container (net, pid, mount, uts namespaces of its init); true on exit 0. */
export async function probeExec(initPid: number, command: readonly string[], timeoutMs: number): Promise<boolean> {
  return (await execInProcessNamespaces(initPid, command, { allowFail: true, timeoutMs })).code === 0;
}
