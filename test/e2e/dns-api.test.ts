/**
 * Cluster DNS fed by the real API server through informers: a Service created with the real
 * kubectl is answered, a deleted one goes NXDOMAIN, endpoints of a headless Service follow pod
 * readiness. `podnet dns` runs as a child on 127.0.0.1 (root netns: loopback only), queried with dig.
 * The time from kubectl's acknowledgement to the first correct answer is measured and printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { exec } from '../../src/util/exec.js';
import { startApiServer, PODNET_MAIN } from '../support/apiserver.js';

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('DNS answers follow the API: new Service, deleted Service, headless endpoints', { timeout: 120_000 }, async (t) => {
  const api = await startApiServer({ serviceCidr: '10.96.0.0/12' });
  let dns: ChildProcess | undefined;
  try {
    const port = await freeUdpPort();
    dns = spawn(process.execPath, [PODNET_MAIN, 'dns', '--kubeconfig', api.kubeconfigPath, '--listen', `127.0.0.1:${port}`, '--http-listen', '127.0.0.1:0', '--dns-ip', '10.96.0.10'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errLog = '';
    dns.stderr!.on('data', (d: Buffer) => { errLog = (errLog + d.toString()).slice(-5000); });
    const dig = async (...args: string[]): Promise<string> =>
      (await exec(['dig', '+time=1', '+tries=1', '-p', String(port), '@127.0.0.1', ...args], { allowFail: true })).stdout;
    await until(`dns serving (${errLog})`, async () => /status: NXDOMAIN/.test(await dig('nothing.default.svc.cluster.local')));

    await t.test('a new Service is answered; a deleted one is NXDOMAIN with the SOA', async () => {
      await api.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: dnsns}\n');
      const created = Date.now();
      const out = await api.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: dnsns}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80}]\n');
      assert.match(out.stdout, /service\/web created/);
      const ip = (await api.kubectl(['get', 'svc', '-n', 'dnsns', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
      const ans = await until('A record', async () => {
        const s = (await dig('+short', 'web.dnsns.svc.cluster.local')).trim();
        return s === ip ? s : undefined;
      });
      const addMs = Date.now() - created;
      assert.equal(ans, ip);
      const srv = await dig('+short', 'SRV', '_http._tcp.web.dnsns.svc.cluster.local');
      assert.match(srv, /^0 100 80 web\.dnsns\.svc\.cluster\.local\.$/m);
      const deleted = Date.now();
      await api.kubectl(['delete', 'svc', '-n', 'dnsns', 'web']);
      const nx = await until('NXDOMAIN after delete', async () => {
        const o = await dig('web.dnsns.svc.cluster.local');
        return /status: NXDOMAIN/.test(o) ? o : undefined;
      });
      const delMs = Date.now() - deleted;
      assert.match(nx, /AUTHORITY SECTION:\n.*cluster\.local\.\s+\d+\s+IN\s+SOA/);
      t.diagnostic(`service visible in DNS ${addMs} ms after kubectl apply started; gone ${delMs} ms after kubectl delete started`);
    });

    await t.test('a headless Service answers the ready endpoints from EndpointSlices', async () => {
      await api.kubectl(['apply', '-f', '-'], [
        'apiVersion: v1', 'kind: Service', 'metadata: {name: hl, namespace: dnsns}', 'spec:', '  clusterIP: None', '  selector: {app: hl}', '  ports: [{name: p, port: 9000}]', '---',
        'apiVersion: discovery.k8s.io/v1', 'kind: EndpointSlice', 'metadata: {name: hl-x, namespace: dnsns, labels: {kubernetes.io/service-name: hl}}', 'addressType: IPv4',
        'ports: [{name: p, port: 9000, protocol: TCP}]',
        'endpoints:', '- addresses: [10.244.1.5]', '  conditions: {ready: true}', '  hostname: one', '- addresses: [10.244.2.6]', '  conditions: {ready: false}', '',
      ].join('\n'));
      const a = await until('headless A', async () => {
        const s = (await dig('+short', 'hl.dnsns.svc.cluster.local')).trim();
        return s ? s : undefined;
      });
      assert.equal(a, '10.244.1.5', 'only the ready endpoint');
      assert.equal((await dig('+short', 'one.hl.dnsns.svc.cluster.local')).trim(), '10.244.1.5');
      await api.kubectl(['patch', 'endpointslice', '-n', 'dnsns', 'hl-x', '--type=json', '-p', '[{"op":"replace","path":"/endpoints/1/conditions/ready","value":true}]']);
      await until('both endpoints', async () => (await dig('+short', 'hl.dnsns.svc.cluster.local')).trim().split('\n').sort().join(',') === '10.244.1.5,10.244.2.6');
      // The endpoint without a hostname, now ready, has a PTR to its dashed-IP name, answered from the cluster's data.
      assert.equal((await dig('+short', '-x', '10.244.2.6')).trim(), '10-244-2-6.hl.dnsns.svc.cluster.local.');
      assert.equal((await dig('+short', '-x', '10.244.1.5')).trim(), 'one.hl.dnsns.svc.cluster.local.');
    });
  } finally {
    if (dns && dns.exitCode === null) { dns.kill('SIGTERM'); await new Promise((r) => { dns!.once('exit', r); setTimeout(r, 3000); }); dns.kill('SIGKILL'); }
    await api.stop();
  }
});
