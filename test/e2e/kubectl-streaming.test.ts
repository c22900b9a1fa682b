/**
 * Streaming for every kubectl (issue 13): with each versioned kubectl 1.27 … 1.33 against one lab
 * (1 node), through the real API server to the kubelet —
 *   exec (stdout/stderr, the exit code of `exit 3`, piped stdin and its close, -it with the
 *   terminal size), attach (the container's output; stdin into the container's stdin when it has
 *   one, else a clear refusal), cp in and out (tar over exec; content equal), and port-forward to
 *   a pod and to svc/NAME with a real HTTP request through it (curl 127.0.0.1:LOCALPORT).
 * 1.27–1.29 speak SPDY/3.1 (v4.channel.k8s.io, portforward.k8s.io); 1.30+ WebSocket
 * (v5.channel.k8s.io; port-forward as SPDY tunnelled in WebSocket from 1.31). The versions run
 * concurrently; the agent's log must show both transports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODNET, must, run, until, labLeftovers, labDown, randomLabName, type Run } from '../support/lab.js';
import { freeLoopbackPorts } from '../support/ports.js';

const BIN = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = [27, 28, 29, 30, 31, 32, 33];

function kubectlOf(kubeconfig: string, minor: number) {
  return (args: string[], o: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> =>
    run(join(BIN, `kubectl.1.${minor}`), args, { env: { KUBECONFIG: kubeconfig, ...o.env }, input: o.input, timeoutMs: o.timeoutMs ?? 60_000 });
}

function ok(what: string, r: Run): string {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Runs a long-lived kubectl (port-forward, attach) and resolves once its output matches. */
function background(argv: string[], env: Record<string, string>) {
  const p = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  p.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  return {
    proc: p,
    output: () => out,
    // on a timeout, say what kubectl printed (e.g. that it bound [::1] only)
    waitFor: (re: RegExp, what: string) => until(what, async () => re.test(out) || (p.exitCode !== null && (() => { throw new Error(`exited ${p.exitCode}: ${out}`); })()), 30_000)
      .catch((e: Error) => { throw new Error(`${e.message}; kubectl printed: ${out}`); }),
    stop: () => new Promise<void>((r) => { if (p.exitCode !== null || p.signalCode !== null) { r(); return; } p.once('exit', () => r()); p.kill('SIGTERM'); }),
  };
}

function curl(port: number): Promise<string> {
  return new Promise((resolve) => execFile('curl', ['-sS', '-m', '5', `http://127.0.0.1:${port}/`], (e, stdout, stderr) => resolve(e ? `curl failed: ${stderr}` : stdout)));
}

test('every kubectl 1.27–1.33: exec, attach, cp and port-forward (pod and svc) through the API server', { timeout: 300_000 }, async () => {
  const lab = randomLabName('strm');
  const work = mkdtempSync(join(tmpdir(), 'pn-strm-'));
  const inPod = `/tmp/pn-strm-${lab}`; // cp target inside the pod
  const basePort = await freeLoopbackPorts(14);
  try {
    await must(PODNET, ['lab', 'up', '--name', lab, '--nodes', '1'], { timeoutMs: 180_000 });
    const kubeconfig = (await must(PODNET, ['lab', 'kubeconfig', '--name', lab])).trim();
    const k = kubectlOf(kubeconfig, 32);
    ok('run web', await k(['run', 'web', '--image=podnet/echo', '--port=8080']));
    ok('run ticker', await k(['run', 'ticker', '--image=podnet/shell', '--', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done']));
    ok('run reader', await k(['run', 'reader', '--image=podnet/shell', '--stdin', '--attach=false', '--', 'sh', '-c', 'while true; do if read l; then echo "got: $l"; else sleep 1; fi; done']));
    ok('expose', await k(['expose', 'pod', 'web', '--port=80', '--target-port=8080']));
    ok('wait', await k(['wait', '--for=condition=Ready', 'pod/web', 'pod/ticker', 'pod/reader', '--timeout=60s']));
    ok('mkdir in pod', await k(['exec', 'web', '--', 'mkdir', '-p', inPod]));
    // the reader's stdin FIFO, if this runtime gives containers one
    const fifo = (() => {
      const root = `/run/podnet/${lab}`;
      const found: string[] = [];
      const walk = (d: string, depth: number): void => {
        if (depth > 12) return;
        let ents: string[] = [];
        try { ents = readdirSync(d); } catch { return; }
        for (const e of ents) { const p = join(d, e); if (e === 'stdin.fifo' && p.includes('/reader')) found.push(p); else if (!e.includes('.')) walk(p, depth + 1); }
      };
      walk(root, 0);
      return found.length > 0;
    })();

    const results = await Promise.all(VERSIONS.map(async (minor, i) => {
      const kv = kubectlOf(kubeconfig, minor);
      const env = { KUBECONFIG: kubeconfig };
      const v = `1.${minor}`;
      // exec: stdout and stderr apart, exit code propagated
      const ex = await kv(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(ex.code, 3, `${v} exec exit code: ${ex.stderr}`);
      assert.equal(ex.stdout, 'out\n', `${v} exec stdout`);
      assert.match(ex.stderr, /^err\n/, `${v} exec stderr`);
      assert.match(ex.stderr, /command terminated with exit code 3/, `${v} exec status`);
      // stdin piped, then closed: the command sees EOF and goes on
      const cat = ok(`${v} exec -i`, await kv(['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo after-eof'], { input: `piped ${v}\nline2\n` }));
      assert.equal(cat, `piped ${v}\nline2\nafter-eof\n`, `${v} exec -i`);
      // -it: a terminal of the client's size (script(1) gives kubectl a terminal of 45x123)
      // busybox's stty (the images') fails on a 0x0 terminal where coreutils' prints "0 0": wait for either to end
      const sizeLoop = `for i in $(seq 1 25); do s=$(stty size 2>/dev/null); [ -n "$s" ] && [ "$s" != "0 0" ] && break; sleep 0.2; done; echo "size=$s"; tty`;
      const tty = await run('script', ['-qec', `stty rows 45 cols 123; ${join(BIN, `kubectl.1.${minor}`)} exec -it web -- sh -c '${sizeLoop}'`, '/dev/null'], { env });
      assert.equal(tty.code, 0, `${v} exec -it: ${tty.stdout}${tty.stderr}`);
      assert.match(tty.stdout, /size=45 123/, `${v} exec -it terminal size: ${tty.stdout}`);
      assert.match(tty.stdout, /\/dev\/pts\/\d+/, `${v} exec -it has a terminal`);
      // cp in and out (tar over exec)
      const local = join(work, `in-${minor}.txt`);
      const content = `hello from kubectl ${v}\n${'x'.repeat(100_000)}\n`;
      writeFileSync(local, content);
      ok(`${v} cp in`, await kv(['cp', local, `web:${inPod}/in-${minor}.txt`]));
      const back = join(work, `out-${minor}.txt`);
      ok(`${v} cp out`, await kv(['cp', `web:${inPod}/in-${minor}.txt`, back]));
      assert.equal(readFileSync(back, 'utf8'), content, `${v} cp round trip`);
      // attach: the running container's output
      const at = background([join(BIN, `kubectl.1.${minor}`), 'attach', 'ticker'], env);
      await at.waitFor(/tick \d+\n[\s\S]*tick \d+\n/, `${v} attach output`);
      await at.stop();
      // attach -i: into the container's stdin, or a clear refusal when the runtime has none
      const ai = background([join(BIN, `kubectl.1.${minor}`), 'attach', '-i', 'reader'], env);
      if (fifo) {
        ai.proc.stdin.write(`line from ${v}\n`);
        await ai.waitFor(new RegExp(`got: line from ${v.replace('.', '\\.')}`), `${v} attach -i echo`);
      } else {
        await ai.waitFor(/no stdin to attach to/, `${v} attach -i refusal`);
      }
      await ai.stop();
      // port-forward to the pod and to the Service, a real HTTP request through each
      const out: string[] = [];
      for (const [target, remote, port] of [['pod/web', 8080, basePort + 2 * i], ['svc/web', 80, basePort + 2 * i + 1]] as const) {
        const pf = background([join(BIN, `kubectl.1.${minor}`), 'port-forward', target, `${port}:${remote}`], env);
        try {
          await pf.waitFor(new RegExp(`Forwarding from 127\\.0\\.0\\.1:${port}`), `${v} port-forward ${target}`);
          const body = await curl(port);
          assert.match(body, /^pod=web ip=\d+\.\d+\.\d+\.\d+ peer=127\.0\.0\.1:\d+/, `${v} port-forward ${target}: ${body} ${pf.output()}`);
          const again = await curl(port); // a second connection over the same session
          assert.match(again, /^pod=web /, `${v} port-forward ${target} second request`);
          out.push(`${target} ${body.trim()}`);
        } finally { await pf.stop(); }
      }
      return `${v}: ${out.join(' | ')}`;
    }));
    for (const r of results) console.log(r);
    // 1.29 opts into WebSocket exec with KUBECTL_REMOTE_COMMAND_WEBSOCKETS
    const ws29 = await kubectlOf(kubeconfig, 29)(['exec', 'web', '--', 'sh', '-c', 'echo ws; exit 4'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' } });
    assert.equal(ws29.code, 4, ws29.stderr);
    assert.equal(ws29.stdout, 'ws\n');
    // both transports were used, with the protocols each kubectl negotiates
    const agentLog = readdirSync(`/run/podnet/${lab}/logs`).filter((f) => f.startsWith('agent-')).map((f) => readFileSync(join(`/run/podnet/${lab}/logs`, f), 'utf8')).join('');
    const sessions = new Set(agentLog.split('\n').filter((l) => l.includes('streaming session')).map((l) => { const j = JSON.parse(l) as { verb: string; transport: string; protocol: string }; return `${j.verb} ${j.transport} ${j.protocol}`; }));
    console.log([...sessions].sort().join('\n'));
    for (const s of ['exec SPDY/3.1 v4.channel.k8s.io', 'exec websocket v5.channel.k8s.io', 'attach SPDY/3.1 v4.channel.k8s.io', 'attach websocket v5.channel.k8s.io',
      'portforward SPDY/3.1 portforward.k8s.io', 'portforward websocket SPDY/3.1+portforward.k8s.io']) assert.ok(sessions.has(s), `agent log shows "${s}"`);
    // kubectl debug -i with an ephemeral container in the target's PID namespace, attached: one version
    // at a time (each adds a container to the same pod). The container waits for a line on its stdin
    // (through attach), then lists the processes it sees: the target's too.
    for (const minor of VERSIONS) {
      const dbg = await kubectlOf(kubeconfig, minor)(['debug', '-i', 'web', '--image=podnet/shell', '--target=web', '-c', `dbg${minor}`, '--', 'sh', '-c', 'read go; ps'], { input: 'go\n', timeoutMs: 90_000 });
      assert.equal(dbg.code, 0, `1.${minor} debug -i --target: ${dbg.stderr}${dbg.stdout}`);
      assert.match(dbg.stdout, /image-run/, `1.${minor} debug -i --target sees the target's processes:\n${dbg.stdout}`);
    }
    ok('cleanup in pod', await k(['exec', 'web', '--', 'rm', '-rf', inPod]));
  } finally {
    const down = await labDown(lab);
    assert.equal(down.code, 0, down.stderr);
    rmSync(work, { recursive: true, force: true });
    if (existsSync(inPod)) rmSync(inPod, { recursive: true, force: true }); // containers see the host's fs until they get their own root
    assert.deepEqual(labLeftovers(lab), []);
  }
});
