/**
 * For the kubelet's own e2e: the smallest HTTP front that lets the real kubectl reach the kubelet
 * API the way the apiserver proxies it — discovery, GET of the given pods, and pods/log + pods/exec
 * forwarded to the kubelet's unix socket (`container=` moved into the path as upstream does).
 * It is not an API server; the full path is covered by kubelet-api.test.ts with the real one.
 */
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';

export interface KubeletFront { kubeconfig: string; close(): Promise<void> }

export async function startKubeletFront(kubeletSocket: string, pods: { metadata: { name?: string; namespace?: string } }[], kubeconfigPath: string): Promise<KubeletFront> {
  const find = (ns: string, name: string): unknown => pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://front');
    const json = (o: unknown, code = 200): void => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(o)); };
    if (u.pathname === '/version') return json({ major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    if (u.pathname === '/api') return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    if (u.pathname === '/apis') return json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (u.pathname === '/api/v1') {
      return json({ kind: 'APIResourceList', groupVersion: 'v1', resources: [
        { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get'], shortNames: ['po'] },
        { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
        { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }] });
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(u.pathname);
    const pod = m ? find(m[1]!, m[2]!) : undefined;
    if (!m || !pod) return json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }, 404);
    if (!m[3]) return json(pod);
    const q = u.searchParams;
    const c = q.get('container') ?? '';
    q.delete('container');
    const up = request({ socketPath: kubeletSocket, path: `/containerLogs/${m[1]}/${m[2]}/${c}?${q}` }, (r) => { res.writeHead(r.statusCode ?? 500, r.headers); r.pipe(res); });
    up.on('error', () => res.destroy());
    up.end();
  });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://front');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(u.pathname);
    if (!m) { socket.end('HTTP/1.1 404 Not Found\r\n\r\n'); return; }
    const q = u.searchParams;
    const c = q.get('container') ?? '';
    q.delete('container');
    const up = connect(kubeletSocket, () => {
      const lines = [`GET /exec/${m[1]}/${m[2]}/${c}?${q} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  writeFileSync(kubeconfigPath, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: front, cluster: {server: "http://127.0.0.1:${port}"}}]`,
    'users: [{name: u, user: {}}]',
    'contexts: [{name: front, context: {cluster: front, user: u, namespace: default}}]',
    'current-context: front', '',
  ].join('\n'));
  return {
    kubeconfig: kubeconfigPath,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
