// The client's TLS paths against a real node:https server with a throwaway CA (openssl, EC keys):
// TCP and a unix socket (servername localhost), client-certificate auth, wrong CA → ConnectionError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createClient } from './http.js';
import { loadKubeconfig } from './kubeconfig.js';
import { ConnectionError } from './errors.js';
import { R } from './resources.js';

function pki(dir: string, tag: string): void {
  const o = (...a: string[]): void => { execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' }); };
  o('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${tag}ca.key`, '-out', `${tag}ca.crt`, '-days', '1', '-subj', `/CN=${tag}ca`);
  for (const [n, subj, ext] of [['server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], ['client', '/CN=admin/O=system:masters', 'extendedKeyUsage=clientAuth']] as const) {
    o('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${tag}${n}.key`, '-out', `${tag}${n}.csr`, '-subj', subj);
    writeFileSync(join(dir, `${tag}${n}.ext`), `${ext}\n`);
    o('x509', '-req', '-in', `${tag}${n}.csr`, '-CA', `${tag}ca.crt`, '-CAkey', `${tag}ca.key`, '-CAcreateserial', '-out', `${tag}${n}.crt`, '-days', '1', '-extfile', `${tag}${n}.ext`);
  }
}

test('client over HTTPS (TCP and unix socket) with client certificates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tclient-'));
  const servers: https.Server[] = [];
  try {
    pki(dir, '');
    pki(dir, 'other-');
    const f = (n: string): Buffer => readFileSync(join(dir, n));
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
      const cert = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: `seen-by-${cert.subject?.CN}`, path: req.url } }));
    };
    const opts = { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key'), requestCert: true, rejectUnauthorized: true };
    const tcp = https.createServer(opts, handler); servers.push(tcp);
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const sock = join(dir, 'api.sock');
    const unix = https.createServer(opts, handler); servers.push(unix);
    await new Promise<void>((r) => unix.listen(sock, r));

    const b64 = (n: string): string => f(n).toString('base64');
    writeFileSync(join(dir, 'kubeconfig'), `apiVersion: v1
kind: Config
current-context: c
clusters: [{ name: k, cluster: { server: "https://127.0.0.1:${(tcp.address() as AddressInfo).port}", certificate-authority-data: ${b64('ca.crt')} } }]
users: [{ name: u, user: { client-certificate: client.crt, client-key: client.key } }]
contexts: [{ name: c, context: { cluster: k, user: u } }]
`);
    const cfg = loadKubeconfig(join(dir, 'kubeconfig'));
    const c1 = createClient(cfg);
    const n1 = await c1.get(R.nodes, 'x');
    assert.equal(n1.metadata.name, 'seen-by-admin');
    assert.equal(n1.metadata.path, '/api/v1/nodes/x');
    c1.close();

    const c2 = createClient({ ...cfg, server: `unix://${sock}` });
    const n2 = await c2.get(R.pods('ns'), 'p');
    assert.equal(n2.metadata.name, 'seen-by-admin');
    assert.equal(n2.metadata.path, '/api/v1/namespaces/ns/pods/p');
    c2.close();

    const wrong = createClient({ ...cfg, ca: f('other-ca.crt') });
    await assert.rejects(wrong.get(R.nodes, 'x'), (e: unknown) => e instanceof ConnectionError && /certificate/i.test(e.message));
    wrong.close();
    const anon = createClient({ server: cfg.server, ca: cfg.ca });
    await assert.rejects(anon.get(R.nodes, 'x'), (e: unknown) => e instanceof ConnectionError);
    anon.close();
  } finally {
    for (const s of servers) { s.closeAllConnections(); s.close(); }
    rmSync(dir, { recursive: true, force: true });
  }
});
