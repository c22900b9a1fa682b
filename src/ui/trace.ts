/**
 * A trace for the web view: the page's source/destination checked, then `podnet trace … -o json`
 * run as a subprocess (the trace command owns the probing; this only asks it) and its output checked
 * against the Trace shape.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PodnetError } from '../util/errors.js';
import { asTrace, type Trace } from './hops.js';

export class TraceRunError extends PodnetError {
  constructor(code: string, message: string, readonly status: number) { super(code, message); }
}

export type TraceProto = 'tcp' | 'udp' | 'icmp';
export interface TraceRequest { src: string; dst: string; namespace: string; proto?: TraceProto }

const NAME = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
const SRC = new RegExp(`^(pod|node)/${NAME}$`);
const DST = new RegExp(`^((pod|svc|node)/${NAME}(:\\d{1,5})?|\\d{1,3}(\\.\\d{1,3}){3}(:\\d{1,5})?)$`);

/** The request from the page's query (pure; throws naming the bad field). */
export function traceRequest(q: URLSearchParams): TraceRequest {
  const src = q.get('src') ?? '', dst = q.get('dst') ?? '', namespace = q.get('namespace') || 'default', proto = q.get('proto') || undefined;
  if (!SRC.test(src)) throw new TraceRunError('EFIELD', `src "${src}" must be pod/NAME or node/NAME`, 400);
  if (!DST.test(dst)) throw new TraceRunError('EFIELD', `dst "${dst}" must be pod/NAME[:PORT], svc/NAME[:PORT], node/NAME:PORT or IP[:PORT]`, 400);
  if (!new RegExp(`^${NAME}$`).test(namespace)) throw new TraceRunError('EFIELD', `namespace "${namespace}" is not a valid name`, 400);
  if (proto !== undefined && proto !== 'tcp' && proto !== 'udp' && proto !== 'icmp') throw new TraceRunError('EFIELD', `proto "${proto}" must be tcp, udp or icmp`, 400);
  return { src, dst, namespace, ...(proto ? { proto } : {}) };
}

/** `podnet trace`'s argv for the request (pure). */
export function traceArgv(r: TraceRequest, where: { kubeconfig: string; lab?: string }): string[] {
  return ['trace', '-n', r.namespace, r.src, r.dst, ...(r.proto ? ['--proto', r.proto] : []), ...(where.lab ? ['--lab', where.lab] : ['--kubeconfig', where.kubeconfig]), '-o', 'json'];
}

/** Runs the trace; its JSON even when the verdict is a drop (the command may exit non-zero then). */
export function runTrace(r: TraceRequest, o: { root: string; kubeconfig: string; lab?: string; timeoutMs?: number }): Promise<Trace> {
  const argv = traceArgv(r, o);
  return new Promise((resolve, reject) => {
    execFile(join(o.root, 'bin', 'podnet'), argv, { timeout: o.timeoutMs ?? 60_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const out = String(stdout).trim();
      if (out.startsWith('{')) {
        try { return resolve(asTrace(JSON.parse(out))); } catch (e) { return reject(new TraceRunError('ETRACE', `podnet trace printed no Trace: ${(e as Error).message}`, 502)); }
      }
      const msg = String(stderr).trim() || (err ? err.message : 'no output');
      if (/unknown command/i.test(msg)) return reject(new TraceRunError('ENOTRACE', 'this podnet has no trace command', 501));
      reject(new TraceRunError('ETRACE', `podnet ${argv.join(' ')}: ${msg}`, 502));
    });
  });
}
