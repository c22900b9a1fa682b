/**
 * Issue 14, "denied packets are … optionally logged (rate-limited, with pod names) so podnet can show
 * why a flow was denied", on flannel's UDP backend: a 2-node lab (`--backend udp`, drop logging on by
 * default), pods x/a (node1) and y/b (node2), a default-deny-ingress policy in y. A TCP connect from
 * x/a to y/b is denied and `podnet netpol drops` (nflog group 7 read in the node netns) shows it with
 * both pods' names and the policy; an allow policy opens it (within a second, measured); a port the
 * allow does not cover stays denied and shows in the table output. `lab down` leaves nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { PODNET, labDown, labKubectl, labLeftovers, must, randomLabName, rootNetwork, until } from '../support/lab.js';

interface Drop { node: string; direction: string; pod?: string; src: { ip: string; pod?: string }; dst: { ip: string; port?: number; pod?: string }; protocol: string; policies: string[]; reason: string }

const podYaml = (ns: string, name: string, node: string): string =>
  ['apiVersion: v1', 'kind: Pod', `metadata: {name: "${name}", namespace: "${ns}", labels: {app: "${name}"}}`, 'spec:', `  nodeName: ${node}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n');

/** `podnet netpol drops …` in the background: its stdout, resolved once it listens. */
async function startDrops(lab: string, args: string[]): Promise<{ proc: ChildProcess; out: () => string; done: Promise<number> }> {
  const proc = spawn(PODNET, ['netpol', 'drops', '--lab', lab, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const done = new Promise<number>((r) => proc.once('exit', (c) => r(c ?? 1)));
  await until('netpol drops listening', async () => {
    if (proc.exitCode !== null) throw new Error(`netpol drops exited ${proc.exitCode}: ${err}`);
    return /listening for denied packets/.test(err);
  }, 20_000);
  return { proc, out: () => out, done };
}

test('netpol drops on flannel udp: a denied flow shown with both pods and the policy; an allow opens it; lab down leaves nothing', { timeout: 300_000 }, async (t) => {
  const lab = randomLabName('tnd');
  const rootBefore = await rootNetwork();
  const bg: ChildProcess[] = [];
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '2', '--backend', 'udp'], { timeoutMs: 180_000 });
    const kubectl = labKubectl(lab);
    await kubectl(['apply', '-f', '-'], ['apiVersion: v1\nkind: Namespace\nmetadata: {name: "x"}', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: "y"}', podYaml('x', 'a', 'node1'), podYaml('y', 'b', 'node2')].join('\n---\n') + '\n');
    const ipOf = (ns: string, name: string): Promise<string> => until(`${ns}/${name} running`, async () => {
      const p = JSON.parse(await kubectl(['get', 'pod', '-n', ns, name, '-o', 'json'])) as { status: { phase?: string; podIP?: string } };
      return p.status.phase === 'Running' && p.status.podIP;
    }, 60_000);
    const bIP = await ipOf('y', 'b');
    await ipOf('x', 'a');
    // a TCP connect from x/a with a 1 s timeout
    const connect = async (port: number): Promise<boolean> =>
      /^open$/m.test(await kubectl(['exec', '-n', 'x', 'a', '--', 'sh', '-c', `nc -z -w 1 ${bIP} ${port} && echo open || echo closed`]));
    assert.ok(await connect(8080), 'no policy yet: x/a reaches y/b:8080');

    // default deny ingress in y: the connect fails, and the drop shows with names and the policy
    const drops = await startDrops(lab, ['-o', 'json', '--timeout', '60']);
    bg.push(drops.proc);
    await kubectl(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny-ingress, namespace: "y"}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n');
    await until('x/a → y/b:8080 denied', async () => !(await connect(8080)), 20_000);
    const chain = await must(PODNET, ['lab', 'exec', '--name', lab, 'node2', '--', 'nft', 'list', 'chain', 'inet', 'podnet-policy', 'pod-in/y/b']);
    assert.match(chain, /limit rate 10\/second burst 20 packets log prefix "np-drop in y\/b" group 7/, `the lab's agents log drops by default\n${chain}`);
    const drop = await until('the denied SYN in netpol drops', async () => drops.out().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Drop)
      .find((d) => d.src.pod === 'x/a' && d.dst.pod === 'y/b' && d.dst.port === 8080), 10_000);
    t.diagnostic(`netpol drops -o json: ${JSON.stringify(drop)}`);
    assert.equal(drop.node, 'node2', 'ingress is denied on the destination\'s node');
    assert.equal(drop.direction, 'ingress');
    assert.equal(drop.pod, 'y/b');
    assert.equal(drop.protocol, 'TCP');
    assert.deepEqual(drop.policies, ['y/default-deny-ingress']);
    assert.equal(drop.reason, 'ingress of y/b denied: selected by y/default-deny-ingress, no rule allows');
    drops.proc.kill('SIGINT');
    assert.equal(await drops.done, 0, 'drops stops cleanly on SIGINT');

    // allow from namespace x on 8080: open within a second (measured, waited for up to 10 s)
    const applied = Date.now();
    await kubectl(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-x-8080, namespace: "y"}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: "x"}}}], ports: [{port: 8080}]}]\n');
    await until('x/a → y/b:8080 allowed again', () => connect(8080), 10_000);
    const opened = Date.now() - applied;
    t.diagnostic(`allow policy applied → connect passes: ${opened} ms (incl. kubectl exec round trips)`);

    // port 9000 is not in the allow: still denied, shown in the table output on node2
    const table = await startDrops(lab, ['--node', 'node2', '-c', '1', '--timeout', '30']);
    bg.push(table.proc);
    assert.equal(await connect(9000), false, 'y/b:9000 is not allowed');
    assert.equal(await table.done, 0);
    const lines = table.out().trimEnd().split('\n');
    t.diagnostic(`netpol drops:\n${lines.join('\n')}`);
    assert.match(lines[0]!, /^TIME +NODE +DIR +SOURCE +DESTINATION +PROTO +POLICIES$/);
    assert.match(lines[1]!, /^\d\d:\d\d:\d\d\.\d{3} +node2 +in +x\/a +y\/b +TCP\/9000 +(y\/allow-x-8080,y\/default-deny-ingress|y\/default-deny-ingress,y\/allow-x-8080)$/);
  } finally {
    for (const p of bg) if (p.exitCode === null) p.kill('SIGKILL');
    const d = await labDown(lab);
    assert.equal(d.code, 0, `lab down: ${d.stderr}`);
  }
  assert.deepEqual(labLeftovers(lab), [], 'lab down leaves nothing');
  assert.equal(await rootNetwork(), rootBefore, 'the root netns is unchanged');
});
