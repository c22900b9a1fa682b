/**
 * Issue 16, the web view in a real browser: a 3-node vxlan lab, `podnet ui --lab` on 127.0.0.1, and
 * Debian's chromium driven by playwright-core with every background service off and a dead proxy for
 * anything that is not loopback (and the test asserts that every request the page made went to the
 * view's own 127.0.0.1 origin).
 * - every Node and Pod the API lists is drawn (each pod inside its node's box, on the canvas), with
 *   cni0, the pods' veths and flannel.1 on every node, and a pod created while the page is open
 *   appears (watch → SSE);
 * - a real click on a pod shows its inspect data (sandbox pid, netns, veth peer);
 * - the per-node table shows rule counts and the proxy's last sync from the agents' /metrics;
 * - a pcap capture of node1's flannel.1 downloaded through the page reads back in tshark with the
 *   packets of a curl to the pod on node2;
 * - when `podnet trace` exists: a trace pod→pod across nodes lights up the tunnel device on both
 *   nodes and both pods;
 * - the screenshot is saved to docs/ui.png (the README shows it).
 * `podnet ui --listen 0.0.0.0` is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { PODNET, labDown, labKubectl, labLeftovers, must, randomLabName, run, until } from '../support/lab.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = join(here, '..', '..', '..', 'docs', 'ui.png');

/** Chromium flags: no sandbox (root), nothing in the background, and no route off loopback. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps',
  '--disable-extensions', '--disable-domain-reliability', '--disable-client-side-phishing-detection',
  '--disable-breakpad', '--disable-crash-reporter', '--metrics-recording-only', '--no-pings', '--disable-features=Translate,OptimizationHints,MediaRouter,NetworkTimeServiceQuerying',
  '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=127.0.0.1', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

interface GraphEl { id: string; kind: string; parent?: string; node?: string; visible: boolean; pos: { x: number; y: number }; box: { x1: number; y1: number; x2: number; y2: number }; hop: boolean }

function startUi(lab: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(PODNET, ['ui', '--lab', lab, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`podnet ui did not start: ${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) { clearTimeout(t); resolve({ child, url: m[0], output: () => out }); }
    });
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`podnet ui exited ${code}: ${out}`)); });
  });
}

test('podnet ui shows a 3-node lab in chromium: every node and pod, inspect, capture, trace', { timeout: 300_000 }, async (t) => {
  const refused = await run(PODNET, ['ui', '--lab', 'nolab', '--listen', '0.0.0.0']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /127\.0\.0\.1 only/);

  const lab = randomLabName('ui');
  let ui: Awaited<ReturnType<typeof startUi>> | undefined;
  let browser: Browser | undefined;
  const dl = mkdtempSync(join(tmpdir(), 'podnet-ui-'));
  const t0 = Date.now();
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '3', '--backend', 'vxlan'], { timeoutMs: 240_000 });
    t.diagnostic(`lab up: ${Date.now() - t0} ms`);
    const kubectl = labKubectl(lab);
    const pod = (name: string, node: string): string => ['apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}, namespace: default, labels: {app: web}}`,
      'spec:', `  nodeName: ${node}`, '  containers: [{name: echo, image: podnet/echo}]'].join('\n');
    const docs = ['node1', 'node2', 'node3'].map((n) => pod(`web-${n}`, n));
    docs.push(['apiVersion: v1', 'kind: Service', 'metadata: {name: web, namespace: default}', 'spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}'].join('\n'));
    await kubectl(['apply', '-f', '-'], docs.join('\n---\n') + '\n');
    ui = await startUi(lab);
    await until('3 web pods Running', async () => {
      const l = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: { status: { phase?: string; podIP?: string } }[] };
      return l.items.filter((p) => p.status.phase === 'Running' && p.status.podIP).length === 3;
    }, 90_000);

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(ui.url);

    // ---- every Node and Pod of the API is drawn, inside its node, with the node's devices
    const apiNodes = (JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as { items: { metadata: { name: string } }[] }).items.map((n) => n.metadata.name);
    const apiPods = (JSON.parse(await kubectl(['get', 'pods', '-A', '-o', 'json'])) as { items: { metadata: { name: string; namespace: string }; spec: { nodeName?: string }; status: { podIP?: string } }[] }).items;
    assert.equal(apiNodes.length, 3);
    const elements = (): Promise<GraphEl[]> => page.evaluate(() => {
      const cy = (window as unknown as { podnet: { cy: { nodes(): { map<T>(f: (n: { id(): string; data(k: string): string; visible(): boolean; renderedPosition(): { x: number; y: number }; renderedBoundingBox(o?: { includeLabels: boolean }): GraphEl["box"]; hasClass(c: string): boolean }) => T): T[] } } } }).podnet.cy;
      return cy.nodes().map((n) => ({ id: n.id(), kind: n.data('kind'), parent: n.data('parent'), node: n.data('node'), visible: n.visible(), pos: n.renderedPosition(), box: n.renderedBoundingBox({ includeLabels: false }), hop: n.hasClass('hop') }));
    });
    const wanted = [...apiNodes.map((n) => `node:${n}`), ...apiPods.map((p) => `pod:${p.metadata.namespace}/${p.metadata.name}`),
      ...apiNodes.flatMap((n) => [`dev:${n}/cni0`, `dev:${n}/flannel.1`, `dev:${n}/eth0`])];
    const els = await until('the page draws every node, pod and device', async () => {
      const e = await elements();
      const ids = new Set(e.map((x) => x.id));
      const pairs = await page.evaluate(() => (window as unknown as { podnet: { snapshot?: { graph: { edges: { data: { kind: string } }[] } } } }).podnet.snapshot?.graph.edges.filter((x) => x.data.kind === 'pair').length ?? 0);
      return wanted.every((w) => ids.has(w)) && pairs >= 3 ? e : undefined;
    }, 45_000);
    const canvas = await page.locator('#cy').boundingBox();
    assert.ok(canvas);
    for (const w of wanted) {
      const e = els.find((x) => x.id === w)!;
      assert.ok(e.visible, `${w} visible`);
      assert.ok(e.box.x2 > 0 && e.box.y2 > 0 && e.box.x1 < canvas!.width && e.box.y1 < canvas!.height, `${w} on the canvas: ${JSON.stringify(e.box)}`);
    }
    for (const p of apiPods) if (p.spec.nodeName) assert.equal(els.find((x) => x.id === `pod:${p.metadata.namespace}/${p.metadata.name}`)!.parent, `node:${p.spec.nodeName}`);
    const veths = els.filter((e) => e.kind === 'veth' && e.node !== undefined && e.id !== `dev:${e.node}/eth0`);
    assert.ok(veths.length >= 3, `veths drawn: ${veths.map((v) => v.id).join(' ')}`);

    // ---- a watch event reaches the page: a pod created now appears
    await kubectl(['apply', '-f', '-'], pod('late', 'node3').replace('app: web', 'app: late') + '\n');
    await until('the new pod on the page', async () => (await elements()).some((e) => e.id === 'pod:default/late' && e.parent === 'node:node3'), 30_000);

    // ---- per-node table: rule counts and the proxy's last sync
    const rows = await until('rule counts and sync times per node', async () => {
      const r = await page.locator('#nodes tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      return r.length === 3 && r.every((c) => /^\d+ \(\d+ svc chains\)$/.test(c[2]!) && /ago$/.test(c[3]!)) ? r : undefined;
    }, 30_000);
    t.diagnostic(`node table: ${JSON.stringify(rows)}`);
    assert.deepEqual(rows.map((r) => r[0]), apiNodes.slice().sort());
    assert.ok(rows.every((r) => r[1] === 'iptables'));

    // ---- a real click on a pod shows its inspect data
    await new Promise((r) => setTimeout(r, 300)); // the layout the new pod started
    const target = (await elements()).find((e) => e.id === 'pod:default/web-node1')!;
    await page.mouse.click(canvas!.x + target.pos.x, canvas!.y + target.pos.y);
    const insp = await until('inspect data of web-node1', async () => {
      const text = await page.locator('#inspect').textContent();
      return text?.startsWith('{') && text.includes('"web-node1"') ? JSON.parse(text) as { name: string; node: string; sandbox: { pid: number; netnsName: string }; peer?: { name: string; bridge?: string } } : undefined;
    }, 20_000);
    assert.equal(insp.name, 'web-node1');
    assert.equal(insp.node, 'node1');
    assert.ok(insp.sandbox.pid > 0);
    assert.equal(insp.peer?.bridge, 'cni0');
    assert.ok(els.some((e) => e.id === `dev:node1/${insp.peer!.name}`), 'the inspected veth peer is drawn');

    // ---- a capture of node1's flannel.1 through the page, read back with tshark
    const ip2 = (JSON.parse(await kubectl(['get', 'pod', 'web-node2', '-o', 'json'])) as { status: { podIP: string } }).status.podIP;
    await page.selectOption('#cap-target', 'node/node1/flannel.1');
    await page.fill('#cap-count', '4');
    await page.dispatchEvent('#cap-count', 'change');
    await page.fill('#cap-seconds', '8');
    await page.dispatchEvent('#cap-seconds', 'change');
    const downloadP = page.waitForEvent('download', { timeout: 30_000 });
    await page.click('#cap-go');
    await new Promise((r) => setTimeout(r, 700));
    const curl = await run('ip', ['netns', 'exec', `pn-${lab}-node1`, 'curl', '-s', '--max-time', '5', `http://${ip2}:8080/`]);
    assert.match(curl.stdout, /web-node2/);
    const download = await downloadP;
    const pcap = join(dl, download.suggestedFilename());
    await download.saveAs(pcap);
    const fields = await must('tshark', ['-r', pcap, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst']);
    t.diagnostic(`tshark ${download.suggestedFilename()}:\n${fields}`);
    assert.ok(fields.split('\n').some((l) => l.includes(ip2)), `a packet to/from ${ip2} on flannel.1`);

    // ---- trace pod→pod across nodes, when podnet trace exists
    const hasTrace = /^\s+trace\b/m.test((await run(PODNET, ['--help'])).stdout); // commander answers `podnet x --help` for any x
    if (hasTrace) {
      await page.selectOption('#trace-src', 'pod|default|web-node1');
      await page.selectOption('#trace-dst', 'pod|default|web-node2');
      await page.fill('#trace-port', '8080');
      await page.click('#trace-run');
      await page.waitForFunction(() => (window as unknown as { podnet: { highlightDone: boolean } }).podnet.highlightDone, undefined, { timeout: 60_000 });
      const verdict = await page.locator('#trace-verdict').textContent();
      const hops = await page.locator('#trace-hops li').allTextContents();
      t.diagnostic(`trace: ${verdict}\n${hops.join('\n')}`);
      assert.match(verdict ?? '', /^delivered/);
      const lit = new Set((await elements()).filter((e) => e.hop).map((e) => e.id));
      for (const id of ['pod:default/web-node1', 'dev:node1/cni0', 'dev:node1/flannel.1', 'underlay', 'dev:node2/flannel.1', 'dev:node2/cni0', 'pod:default/web-node2']) assert.ok(lit.has(id), `${id} highlighted (lit: ${[...lit].join(' ')})`);
    } else {
      t.diagnostic('podnet trace is not in this build: the trace highlight is not exercised');
    }

    await page.screenshot({ path: SCREENSHOT });
    assert.ok(statSync(SCREENSHOT).size > 20_000, 'a screenshot with the topology');
    assert.deepEqual(pageErrors, []);
    const origin = ui.url;
    const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'the page loads nothing but the view\'s own 127.0.0.1 origin');
    assert.ok(requests.some((u) => u.endsWith('/vendor/cytoscape.min.js')));
    t.diagnostic(`whole test to here: ${Date.now() - t0} ms`);
  } catch (e) {
    for (const p of browser?.contexts().flatMap((c) => c.pages()) ?? []) await p.screenshot({ path: join(dl, '..', `podnet-ui-failure-${lab}.png`) }).catch(() => undefined);
    throw e;
  } finally {
    await browser?.close().catch(() => undefined);
    if (ui) {
      ui.child.kill('SIGTERM');
      await new Promise((r) => { if (ui!.child.exitCode !== null) r(undefined); else ui!.child.once('exit', r); });
    }
    rmSync(dl, { recursive: true, force: true });
    const down = await labDown(lab);
    assert.equal(down.code, 0, `lab down: ${down.stderr}`);
    assert.ok(!existsSync(`/run/podnet/${lab}`), 'no lab dir left');
    assert.deepEqual(labLeftovers(lab), []);
  }
});
