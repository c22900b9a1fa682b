// Runs a ProxyRunner inside the current netns (started with `ip netns exec NODE node proxyDriver.js`), driven by
// JSON lines on stdin: {op:"start",mode,opts} | {op:"sync",services,slices} | {op:"cleanup"} | {op:"stop"}.
// Replies one JSON line per request: {ok:true, report} | {ok:false, error}.
import readline from 'node:readline';
import { ProxyRunner } from '../../src/proxy/runner.js';
import { cleanupLeftovers } from '../../src/proxy/modes.js';
import { SELF } from '../../src/net/exec.js';
import { serveHttp } from '../../src/proxy/metrics.js';

let runner: ProxyRunner | undefined;
// The namespace to program: this process's own, named explicitly (argv[2] = /run/netns/<node>).
const netns = process.argv[2] ?? SELF;
const rl = readline.createInterface({ input: process.stdin });
const reply = (o: unknown): void => { process.stdout.write(JSON.stringify(o) + '\n'); };
for await (const line of rl) {
  if (!line.trim()) continue;
  const req = JSON.parse(line) as { op: string; mode?: 'iptables' | 'nftables' | 'userspace' | 'ipvs'; opts?: Record<string, unknown>; services?: unknown[]; slices?: unknown[] };
  try {
    if (req.op === 'start') {
      runner = await ProxyRunner.create(req.mode!, { ...(req.opts ?? {}), netns });
      const h = await serveHttp('127.0.0.1:0', 'both', runner.metrics, 60_000);
      h.server.unref();
      reply({ ok: true, httpPort: h.port });
    } else if (req.op === 'sync') {
      runner!.services.clear(); runner!.slices.clear();
      for (const s of req.services ?? []) runner!.services.set(JSON.stringify((s as { metadata: unknown }).metadata), s as never);
      for (const s of req.slices ?? []) runner!.slices.set(JSON.stringify((s as { metadata: unknown }).metadata), s as never);
      const report = await runner!.syncNow();
      if (runner!.lastError) throw runner!.lastError;
      reply({ ok: true, report });
    } else if (req.op === 'cleanup') {
      await cleanupLeftovers(netns);
      reply({ ok: true });
    } else if (req.op === 'stop') {
      await runner?.stop();
      reply({ ok: true });
      process.exit(0);
    }
  } catch (e) {
    reply({ ok: false, error: (e as Error).message, code: (e as { code?: string }).code });
  }
}
