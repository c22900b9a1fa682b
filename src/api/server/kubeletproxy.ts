/**
 * pods/log and pods/exec, forwarded to the node agent's kubelet API. The kubelet listens on a
 * unix socket whose path the Node carries in an annotation (the agent runs in a node netns, so a
 * filesystem socket is how the root-namespace API server reaches it).
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KObject } from '../kinds/types.js';
import { ApiStatusError, badRequest } from './status.js';

export const KUBELET_SOCKET_ANNOTATION = 'podnet.io/kubelet-socket';

interface PodLike extends KObject { spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] } }

/** The container a request means: `container=` or the only/first one; 400 for an unknown name. */
function pickContainer(pod: PodLike, q: URLSearchParams): string {
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
  const c = q.get('container');
  if (c) {
    if (!names.includes(c)) throw badRequest(`container ${c} is not valid for pod ${pod.metadata.name}`);
    return c;
  }
  if (!names.length) throw badRequest(`pod ${pod.metadata.name} has no containers`);
  return names[0]!;
}

/** The kubelet socket of the pod's node, or a 400 saying why there is none. */
export function kubeletSocketFor(pod: PodLike, node: KObject | undefined): string {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const sock = node?.metadata.annotations?.[KUBELET_SOCKET_ANNOTATION];
  if (!sock) throw new ApiStatusError(500, 'InternalError', `Internal error occurred: node ${nodeName} has no kubelet endpoint (annotation ${KUBELET_SOCKET_ANNOTATION})`);
  return sock;
}

function kubeletQuery(q: URLSearchParams): string {
  const out = new URLSearchParams(q);
  out.delete('container');
  const s = out.toString();
  return s ? `?${s}` : '';
}

/** GET pods/log → GET /containerLogs/<ns>/<pod>/<container> on the kubelet, streamed back. */
export function proxyLogs(req: IncomingMessage, res: ServerResponse, socket: string, pod: PodLike, q: URLSearchParams): void {
  const container = pickContainer(pod, q);
  const path = `/containerLogs/${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(pod.metadata.name ?? '')}/${encodeURIComponent(container)}${kubeletQuery(q)}`;
  const up = request({ socketPath: socket, path, method: 'GET' }, (r) => {
    res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'text/plain', 'cache-control': 'no-cache, private' });
    r.pipe(res);
  });
  up.on('error', (e) => {
    if (res.headersSent) { res.destroy(); return; }
    const body = new ApiStatusError(500, 'InternalError', `Get "kubelet ${socket}": ${e.message}`).body();
    res.writeHead(500, { 'content-type': 'application/json' }); res.end(JSON.stringify(body));
  });
  req.on('close', () => up.destroy());
  up.end();
}

/** An upgraded pods/exec → the kubelet's /exec/<ns>/<pod>/<container>, bytes piped both ways. */
export function proxyExec(req: IncomingMessage, client: Duplex, head: Buffer, socket: string, pod: PodLike, q: URLSearchParams): void {
  const container = pickContainer(pod, q);
  const up = connect(socket, () => {
    const path = `/exec/${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(pod.metadata.name ?? '')}/${encodeURIComponent(container)}${kubeletQuery(q)}`;
    const lines = [`GET ${path} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const h = req.rawHeaders[i]!.toLowerCase();
      if (h === 'authorization') continue;
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    up.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) up.write(head);
    up.pipe(client);
    client.pipe(up);
  });
  up.on('error', () => { writeUpgradeError(client, new ApiStatusError(500, 'InternalError', `error dialing kubelet ${socket}`)); });
  client.on('error', () => up.destroy());
  client.on('close', () => up.destroy());
  up.on('close', () => client.destroy());
}

/** Answers a failed upgrade with a plain HTTP Status response. */
export function writeUpgradeError(client: Duplex, e: ApiStatusError): void {
  if (client.destroyed) return;
  const body = JSON.stringify(e.body());
  client.end(`HTTP/1.1 ${e.httpCode} ${e.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
