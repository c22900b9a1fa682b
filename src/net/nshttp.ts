/**
 * An HTTP GET made from inside a network namespace (curl, run there): how a process in the root
 * netns reads an agent's /metrics, which listens on the node's own address inside the lab.
 */
import type { NetnsPath } from './exec.js';
import { nsExec } from './exec.js';
import { PodnetError } from '../util/errors.js';

/** The body of `url` fetched inside ns; throws (CommandError) on a connection failure or an HTTP error status. */
export async function httpGetInNetns(ns: NetnsPath, url: string, timeoutSeconds = 3): Promise<string> {
  if (!/^http:\/\/[0-9.]+:\d+\/[\w/.-]*$/.test(url)) throw new PodnetError('EURL', `refusing URL ${url}: only http://IP:PORT/PATH`);
  const r = await nsExec(ns, ['curl', '-sS', '--fail', '--noproxy', '*', '--max-time', String(timeoutSeconds), url], { timeoutMs: (timeoutSeconds + 2) * 1000 });
  return r.stdout;
}
