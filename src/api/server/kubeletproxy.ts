/**
 * pods/log and pods/exec, forwarded to the node agent's kubelet API. The kubelet listens on a
 * unix socket (the agent runs in a node netns, so a filesystem socket is how the root-namespace
 * API server reaches it); which socket is decided by KubeletEndpoints (kubeletendpoints.ts), never
 * by a field a user can write.
 */
import { request, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KObject } from '../kinds/types.js';
import { sendError } from './http.js';
import { ApiStatusError, badRequest, internal } from './status.js';

interface PodLike extends KObject { spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] } }

/** The container a request means: `container=` or the only/first one; 400 for an unknown name. */
function pickContainer(pod: PodLike, q: URLSearchParams): string {
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
  const c = q.get('container');
  if (c) {
    // as upstream: exec, attach and logs also reach ephemeral containers (by name only, never by default)
    if (!names.includes(c) && !(pod.spec?.ephemeralContainers ?? []).some((e) => e.name === c)) throw badRequest(`container ${c} is not valid for pod ${pod.metadata.name}`);
    return c;
  }
  if (!names.length) throw badRequest(`pod ${pod.metadata.name} has no containers`);
  return names[0]!;
}

/** The node a pod runs on, or a 400 saying it has none (as upstream). */
export function podNode(pod: PodLike): string {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return nodeName;
}

/**
 * A kubelet error answer turned into the Status upstream's log streamer writes: 400 BadRequest and
 * 500 InternalError carry the kubelet's text as the message, 404 NotFound names the pod.
 */
export function kubeletFailure(code: number, text: string, pod: PodLike): ApiStatusError {
  const msg = text.trim() || `the kubelet answered ${code}`;
  if (code === 400) return badRequest(msg);
  if (code === 404) return new ApiStatusError(404, 'NotFound', msg, { name: pod.metadata.name ?? '', kind: 'pods' });
  if (code === 500) return internal(msg);
  return new ApiStatusError(code, code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : 'InternalError', msg, { name: pod.metadata.name ?? '', kind: 'pods' });
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
    const code = r.statusCode ?? 502;
    if (code >= 200 && code <= 206) {
      res.writeHead(code, { 'content-type': r.headers['content-type'] ?? 'text/plain', 'cache-control': 'no-cache, private' });
      r.pipe(res);
      return;
    }
    // an error from the kubelet: read (at most 4 KiB of) its text and answer a Status
    const chunks: Buffer[] = [];
    let size = 0;
    r.on('data', (c: Buffer) => { if (size < 4096) { chunks.push(c); size += c.length; } });
    r.on('end', () => sendError(res, kubeletFailure(code, Buffer.concat(chunks).subarray(0, 4096).toString('utf8'), pod)));
  });
  up.on('error', (e) => {
    if (res.headersSent) { res.destroy(); return; }
    sendError(res, internal(`Get "kubelet ${socket}": ${e.message}`));
  });
  req.on('close', () => up.destroy());
  up.end();
}

/** The pod subresources that upgrade to a stream (SPDY/3.1 or WebSocket) and their kubelet paths. */
export const STREAMING_SUBRESOURCES = ['exec', 'attach', 'portforward'] as const;
export type StreamingSubresource = typeof STREAMING_SUBRESOURCES[number];

/** The kubelet path of a streaming request: /exec|/attach/<ns>/<pod>/<container>, /portForward/<ns>/<pod>. */
export function kubeletStreamPath(sub: StreamingSubresource, pod: PodLike, q: URLSearchParams): string {
  const base = `${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(pod.metadata.name ?? '')}`;
  if (sub === 'portforward') return `/portForward/${base}${kubeletQuery(q)}`;
  return `/${sub}/${base}/${encodeURIComponent(pickContainer(pod, q))}${kubeletQuery(q)}`;
}

/**
 * An upgraded pods/exec, pods/attach or pods/portforward → the kubelet: the upgrade request is
 * forwarded (minus the client's credentials) and the raw upgraded bytes are piped both ways, so
 * the kubelet answers the handshake and speaks whichever protocol the client chose (SPDY/3.1 or
 * WebSocket) — the API server does not terminate either.
 */
export function proxyStream(sub: StreamingSubresource, req: IncomingMessage, client: Duplex, head: Buffer, socket: string, pod: PodLike, q: URLSearchParams): void {
  const path = kubeletStreamPath(sub, pod, q);
  const up = connect(socket, () => {
    const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`];
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
  up.on('error', () => { writeUpgradeError(client, internal(`error dialing kubelet ${socket}`)); });
  client.on('error', () => up.destroy());
  client.on('close', () => up.destroy());
  up.on('close', () => client.destroy());
}

/** An upgraded pods/exec → the kubelet's /exec/<ns>/<pod>/<container> (kept for callers of the old name). */
export function proxyExec(req: IncomingMessage, client: Duplex, head: Buffer, socket: string, pod: PodLike, q: URLSearchParams): void {
  proxyStream('exec', req, client, head, socket, pod, q);
}

/** Answers a failed upgrade with a plain HTTP Status response. */
export function writeUpgradeError(client: Duplex, e: ApiStatusError): void {
  if (client.destroyed) return;
  const body = JSON.stringify(e.body());
  client.end(`HTTP/1.1 ${e.httpCode} ${STATUS_CODES[e.httpCode] ?? e.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
