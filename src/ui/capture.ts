/**
 * A bounded capture for the web view: tcpdump on one interface (a node's device, a pod's eth0 or the
 * underlay), at most N packets and T seconds, streamed to the browser as a pcap download.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTcpdump, tcpdumpArgv } from '../net/tcpdump.js';
import { parseTarget, resolveTarget } from '../observe/capture.js';
import { PodnetError } from '../util/errors.js';

export class CaptureRequestError extends PodnetError {
  readonly status = 400;
}

export interface CaptureRequest { target: string; namespace: string; count: number; seconds: number; filter: string[] }

export const MAX_PACKETS = 10_000;
export const MAX_SECONDS = 60;

function bounded(q: URLSearchParams, key: string, def: number, max: number): number {
  const v = q.get(key);
  if (v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CaptureRequestError('EFIELD', `${key} must be an integer from 1 to ${max}, not "${v}"`);
  return n;
}

/** The request from the page's query (pure; throws naming the bad field). */
export function captureRequest(q: URLSearchParams): CaptureRequest {
  const target = q.get('target') ?? '';
  try { parseTarget(target); } catch (e) { throw new CaptureRequestError('EFIELD', `target: ${(e as Error).message}`); }
  const filterText = (q.get('filter') ?? '').trim();
  if (!/^[\w .:/()!=<>&|-]*$/.test(filterText)) throw new CaptureRequestError('EFIELD', `filter "${filterText}" has characters a pcap filter does not need`);
  return { target, namespace: q.get('namespace') || 'default', count: bounded(q, 'count', 100, MAX_PACKETS), seconds: bounded(q, 'seconds', 10, MAX_SECONDS), filter: filterText ? filterText.split(/\s+/) : [] };
}

/** A file name for the download: the target with its slashes made dashes. */
export function captureFileName(target: string): string { return `${target.replace(/[^\w.-]+/g, '-')}.pcap`; }

/** Runs the capture and streams the pcap; stops at the count, the time limit or when the browser goes away. */
export async function streamCapture(r: CaptureRequest, where: { kubeconfig: string; lab?: string }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!where.lab) throw new CaptureRequestError('ENOLAB', 'captures need --lab (the interfaces are in the lab\'s namespaces)');
  const t = await resolveTarget(parseTarget(r.target), { namespace: r.namespace, lab: where.lab, kubeconfig: where.kubeconfig });
  const opts = { iface: t.iface, filter: r.filter, write: '-', count: r.count };
  tcpdumpArgv(opts);
  const child = startTcpdump(t.netns, opts, ['ignore', 'pipe', 'pipe']);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const stop = (): void => { child.kill('SIGINT'); };
  const timer = setTimeout(stop, r.seconds * 1000);
  req.on('close', stop);
  child.stdout?.on('data', (d: Buffer) => {
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/vnd.tcpdump.pcap', 'content-disposition': `attachment; filename="${captureFileName(r.target)}"`, 'x-capture-on': t.what });
    res.write(d);
  });
  await new Promise<void>((resolve) => {
    child.once('error', (e) => { stderr += e.message; resolve(); });
    child.once('close', () => resolve());
  });
  clearTimeout(timer);
  req.off('close', stop);
  if (!res.headersSent) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `tcpdump on ${t.what}: ${stderr.trim() || 'no output'}`, code: 'ECAPTURE' }));
    return;
  }
  res.end();
}
