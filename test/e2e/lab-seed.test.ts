/**
 * The seed's example cluster, end to end as seed 000 walks through it: `podnet lab up --example
 * seed`, then from the client pod wp-mysql on k8s-node1 the mysql-demo Service by name (cluster
 * DNS) and by ClusterIP reaches mysql-demo on k8s-node2; the external client reaches node port
 * 30016 on both nodes; k8s-node1's nat table carries the seed's rules name for name.
 * (Issues 4, 5 acceptance 1, 6 acceptance 1.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SEED, MODERN } from '../support/seed-rules.js';
import { PODNET, must, run, until, labKubectl, labLeftovers, cniNetns, labDown, randomLabName } from '../support/lab.js';

for (const mode of ['iptables', 'nftables', 'userspace'] as const) test(`seed example, proxy mode ${mode}: DNS names, ClusterIP and NodePort reach mysql-demo${mode === 'iptables' ? '; the nat table matches the seed' : ''}`, { timeout: 300_000 }, async (t) => {
  const lab = randomLabName(`ts${mode[0]}`);
  const cniBefore = cniNetns();
  try {
    const up = await must(PODNET, ['lab', 'up', '--example', 'seed', '--name', lab, '--proxy-mode', mode], { timeoutMs: 240_000 });
    assert.match(up, /lab ".*" is up/);
    const kubectl = labKubectl(lab);
    const exec = (cmd: string): Promise<string> => kubectl(['-n', 'hyjx--hyjx-group3', 'exec', 'wp-mysql', '--', 'sh', '-c', cmd]);
    const onNode1 = (...cmd: string[]): Promise<string> => must(PODNET, ['lab', 'exec', '--name', lab, 'k8s-node1', '--', ...cmd]);
    const natTable = (): Promise<string> => onNode1('iptables-save', '-t', 'nat');
    const nftTable = (): Promise<string> => onNode1('nft', 'list', 'table', 'ip', 'kube-proxy');

    await t.test('nodes Ready with InternalIP and the seed podCIDRs', async () => {
      const wide = await kubectl(['get', 'nodes', '-o', 'wide']);
      assert.match(wide, /^k8s-node1\s+Ready\s+<none>\s+\S+\s+v1\.32\.0\s+192\.168\.138\.221\s/m);
      assert.match(wide, /^k8s-node2\s+Ready\s+<none>\s+\S+\s+v1\.32\.0\s+192\.168\.138\.222\s/m);
      const cidrs = await kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR}{"\\n"}{end}']);
      assert.match(cidrs, /^k8s-node1=10\.20\.37\.0\/24$/m);
      assert.match(cidrs, /^k8s-node2=10\.20\.92\.0\/24$/m);
      const pods = await kubectl(['get', 'pods', '-n', 'hyjx--hyjx-group3', '-o', 'wide']);
      assert.match(pods, /^mysql-demo\s+1\/1\s+Running\s+0\s+\S+\s+10\.20\.92\.11\s+k8s-node2\s/m);
      assert.match(pods, /^wp-mysql\s+1\/1\s+Running\s+0\s+\S+\s+10\.20\.37\.\d+\s+k8s-node1\s/m);
    });

    await t.test('resolv.conf as the kubelet writes it; every seed name resolves to the ClusterIP', async () => {
      const rc = await exec('cat /etc/resolv.conf');
      assert.match(rc, /^nameserver 10\.10\.0\.10$/m);
      assert.match(rc, /^search hyjx--hyjx-group3\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
      assert.match(rc, /^options ndots:5$/m);
      const logs = await kubectl(['-n', 'hyjx--hyjx-group3', 'logs', 'mysql-demo']);
      assert.match(logs, /podnet\/mysql: pod=mysql-demo listening on :3306/);
      for (const name of ['mysql-demo', 'mysql-demo.hyjx--hyjx-group3', 'mysql-demo.hyjx--hyjx-group3.svc.cluster.local']) {
        assert.match(await exec(`getent hosts ${name}`), /^10\.10\.147\.26\s/m, name);
      }
      // Outside the cluster zone: forwarded to the lab's upstream (dnsmasq in the client netns).
      assert.match(await exec('getent hosts www.lab.test'), /^192\.168\.138\.100\s/m);
    });

    await t.test('a TCP connection by name and by ClusterIP reaches mysql-demo on the other node', async () => {
      for (const target of ['mysql-demo 13306', '10.10.147.26 13306', 'mysql-demo2 23306']) {
        const greeting = await exec(`nc -w 3 ${target} </dev/null | head -c 200 | tr -c '[:print:]' .`);
        assert.match(greeting, /mysql-demo/, `greeting through ${target}`);
      }
    });

    await t.test('the external client reaches node port 30016 on either node', async () => {
      for (const ip of ['192.168.138.221', '192.168.138.222']) {
        const r = await must(PODNET, ['lab', 'exec', '--name', lab, 'client', '--', 'sh', '-c', `nc -w 3 ${ip} 30016 </dev/null | head -c 200 | tr -c '[:print:]' .`]);
        assert.match(r, /mysql-demo/, `node port on ${ip}`);
      }
    });

    await t.test('a LoadBalancer Service gets an address from the lab pool; the external client reaches it', async () => {
      await kubectl(['apply', '-f', '-'], [
        'apiVersion: v1', 'kind: Service', 'metadata: {name: mysql-lb, namespace: hyjx--hyjx-group3}',
        'spec:', '  type: LoadBalancer', '  selector: {app: mysql-demo}', '  ports: [{name: mysql, port: 3306, targetPort: 3306}]', '',
      ].join('\n'));
      const ip = await until('EXTERNAL-IP', async () => {
        const v = (await kubectl(['get', 'svc', '-n', 'hyjx--hyjx-group3', 'mysql-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim();
        return v || undefined;
      }, 30_000);
      assert.match(ip, /^192\.168\.138\.(24\d|25[0-5])$/, 'from the pool 192.168.138.240/28');
      const r = await until('LB answers', async () => {
        const o = await must(PODNET, ['lab', 'exec', '--name', lab, 'client', '--', 'sh', '-c', `nc -w 3 ${ip} 3306 </dev/null | head -c 200 | tr -c '[:print:]' .`]);
        return /mysql-demo/.test(o) ? o : undefined;
      }, 30_000);
      assert.match(r, /mysql-demo/);
      await kubectl(['delete', 'svc', '-n', 'hyjx--hyjx-group3', 'mysql-lb']);
    });

    if (mode === 'iptables') await t.test('iptables-save -t nat on k8s-node1 carries the seed\'s rules, name for name', async () => {
      const nat = await natTable();
      const lines = new Set(nat.split('\n'));
      let identical = 0;
      for (const line of SEED) {
        const want = MODERN.get(line) ?? line;
        assert.ok(lines.has(want), `missing: ${want}`);
        if (want === line) identical++;
      }
      t.diagnostic(`${identical}/${SEED.length} seed lines byte-identical, ${SEED.length - identical} in today's kube-proxy shape`);
    });

    if (mode === 'nftables') await t.test('nft list table ip kube-proxy on k8s-node1 has the Services; no KUBE- iptables chain is left', async () => {
      const nft = await nftTable();
      assert.match(nft, /10\.10\.147\.26 \. tcp \. 13306/);
      assert.match(nft, /30016/);
      const nat = await natTable();
      assert.doesNotMatch(nat, /KUBE-SVC-/);
    });
    if (mode === 'userspace') await t.test('seed 002\'s portal chains are in k8s-node1\'s nat table', async () => {
      const nat = await natTable();
      assert.match(nat, /^-A KUBE-PORTALS-CONTAINER -d 10\.10\.147\.26\/32 -p tcp .*--dport 13306 -j REDIRECT --to-ports \d+$/m);
      assert.match(nat, /KUBE-NODEPORT-HOST/);
    });

    if (mode !== 'userspace') await t.test('restarting k8s-node1\'s agent keeps a long-lived NodePort connection, the pods and the rules', async () => {
      const rules = async (): Promise<string> => (mode === 'iptables'
        ? (await natTable()).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n')
        : (await nftTable()).replace(/counter packets \d+ bytes \d+/g, 'counter')); // the endpoint DNAT counters restart from 0 with the rules
      const podState = async (): Promise<string> => kubectl(['get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].containerID}{"\\n"}{end}']);
      const before = await rules();
      const podsBefore = await podState();
      // A client in the external netns keeps one TCP connection to node port 30016 on k8s-node1 and
      // exchanges a packet every 100 ms, counting replies; any error ends it as "broken". It says
      // "connected" once the connection is up, and stops 10 exchanges after a line on its stdin:
      // the restart happens while the connection is live, however long each step takes.
      const py = [
        'import socket,time,sys,select',
        's=socket.create_connection(("192.168.138.221",30016),timeout=10)',
        'g=s.recv(200); assert b"mysql-demo" in g',
        'print("connected", flush=True)',
        'ok=0; stop=None; end=time.time()+240',
        'try:',
        '  while time.time()<end and (stop is None or ok<stop):',
        '    s.sendall(bytes([1,0,0,0,3])); r=s.recv(64)',
        '    if not r: raise Exception("closed")',
        '    ok+=1; time.sleep(0.1)',
        '    if stop is None and select.select([sys.stdin],[],[],0)[0]: sys.stdin.readline(); stop=ok+10',
        '  print("survived" if stop is not None else "not told to stop", ok)',
        'except Exception as e:',
        '  print("broken", ok, e)',
      ].join('\n');
      const client = spawn(PODNET, ['lab', 'exec', '--name', lab, 'client', '--', 'python3', '-c', py], { stdio: ['pipe', 'pipe', 'pipe'] });
      let clientOut = '';
      client.stdout.on('data', (d: Buffer) => { clientOut += d.toString(); });
      client.stderr.on('data', (d: Buffer) => { clientOut += d.toString(); });
      const clientDone = new Promise<void>((r) => client.once('close', () => r()));
      try {
        await until('the client connected', async () => /^connected$/m.test(clientOut) || client.exitCode !== null, 60_000);
        assert.match(clientOut, /^connected$/m, clientOut);
        await must(PODNET, ['lab', 'restart-agent', '--name', lab, 'k8s-node1']);
        await until('rules converged after the restart', async () => (await rules()) === before, 60_000).catch(() => undefined);
        client.stdin.end('stop\n');
        await Promise.race([clientDone, new Promise((r) => setTimeout(r, 120_000))]);
      } finally {
        client.stdin.end(); // EOF also stops the python client, should it outlive lab exec
        if (client.exitCode === null && client.signalCode === null) client.kill('SIGKILL');
      }
      assert.match(clientOut, /^survived \d+/m, `long-lived connection across the agent restart: ${clientOut}`);
      assert.equal(await rules(), before, 'the rules after the restart equal the rules before');
      assert.equal(await podState(), podsBefore, 'pods adopted, not recreated (same IPs, restart counts, container IDs)');
    });

    await t.test('scaling a Deployment 1 → 3 → 1 shows in the rules and in the traffic', async () => {
      const ns = 'hyjx--hyjx-group3';
      await kubectl(['apply', '-f', '-'], [
        'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: scale, namespace: ${ns}}`,
        'spec:', '  replicas: 1', '  selector: {matchLabels: {app: scale}}',
        '  template:', '    metadata: {labels: {app: scale}}', '    spec: {containers: [{name: echo, image: podnet/echo}]}',
        '---', 'apiVersion: v1', 'kind: Service', `metadata: {name: scale, namespace: ${ns}}`,
        'spec: {selector: {app: scale}, ports: [{port: 80, targetPort: 8080}]}', '',
      ].join('\n'));
      const readyEndpoints = async (): Promise<number> => {
        const ips = (await kubectl(['get', 'endpoints', '-n', ns, 'scale', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).trim();
        return ips ? ips.split(/\s+/).length : 0;
      };
      // The Service's endpoints in k8s-node1's rules: its DNAT rules (iptables), its endpoint chains (nftables).
      const ruleEndpoints = async (): Promise<number> => {
        if (mode === 'nftables') {
          const nft = await nftTable();
          return new Set(nft.match(/chain endpoint-\S*hyjx--hyjx-group3\/scale\/\S+/g) ?? []).size;
        }
        const nat = await natTable();
        return nat.split('\n').filter((l) => /--comment "?hyjx--hyjx-group3\/scale"? .*-j DNAT/.test(l)).length;
      };
      const servedBy = async (): Promise<Set<string>> => {
        const out = await exec('for i in $(seq 40); do curl -s --max-time 2 http://scale/; echo; done');
        return new Set([...out.matchAll(/pod=(scale-\S+)/g)].map((m) => m[1]!));
      };
      const step = async (replicas: number): Promise<void> => {
        await kubectl(['scale', '-n', ns, 'deployment/scale', `--replicas=${replicas}`]);
        await until(`${replicas} ready endpoints`, async () => (await readyEndpoints()) === replicas, 90_000);
        const t0 = Date.now();
        if (mode !== 'userspace') {
          await until(`${replicas} endpoints in k8s-node1's rules`, async () => (await ruleEndpoints()) === replicas, 90_000);
          t.diagnostic(`${mode}: Endpoints showed ${replicas} → k8s-node1's rules showed ${replicas} within ${Date.now() - t0} ms (polling through lab exec)`);
        }
        const pods = await until(`traffic spread over ${replicas} pods`, async () => { const s = await servedBy(); return s.size === replicas ? s : undefined; }, 90_000);
        assert.equal(pods.size, replicas);
      };
      await step(1);
      await step(3);
      await step(1);
      await kubectl(['delete', '-n', ns, 'deployment/scale', 'service/scale']);
    });

    await t.test('lab status reports no fault', async () => {
      const r = await run(PODNET, ['lab', 'status', '--name', lab]);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /no faults/);
    });
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(labLeftovers(lab), []);
    const leaked = [...cniNetns()].filter((n) => !cniBefore.has(n));
    assert.deepEqual(leaked, [], 'pod sandboxes removed');
  }
});
