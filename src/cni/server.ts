import { createServer, type Server } from 'node:http';
import { unlinkSync } from 'node:fs';
import { lockSocket, prepareSocketPath } from '../util/unixsocket.js';
import { PLUGINS } from './plugins/registry.js';
import { invoke } from './skel.js';
import { serveDelegatesInProcess } from './invoke.js';
import { withPluginHostNs } from './hostns.js';
import { inProcessFileLocks } from '../net/flock.js';

/** Where the thin clients (`bin/cni/fast/<plugin>`) look for the server unless PODNET_CNI_SOCKET says otherwise. */
const DEFAULT_CNI_SOCKET = '/run/podnet/cni.sock';

/** Prefix of the headers carrying one CNI variable each (`x-cni-env-CNI_COMMAND: ADD`; names arrive lowercased). */
const ENV_HEADER = 'x-cni-env-';

export interface CniServer { socketPath: string; close(): Promise<void> }

/**
 * The agent side of the thin CNI client (as Antrea/Kube-OVN do): a unix-socket HTTP server that
 * runs podnet's plugins in this process, so a CNI call costs a `sh` + `curl` instead of a Node
 * start. The request carries the plugin's env (one `x-cni-env-<NAME>` header per variable, or
 * CNI_* lines base64-encoded in header `x-cni-env`) and its stdin (body); the answer is the plugin's stdout with `x-cni-exit` holding the exit code.
 * Plugins see this process's network namespace as the host's (run it inside the node namespace),
 * or `hostNetns` when one process serves several nodes (src/node/multinode.ts).
 * `GET /v1/status` answers `{inFlight}`: calls still running, also those whose caller is gone.
 * While it serves, their delegations to podnet's own plugins (flannel → bridge → host-local) are
 * function calls too (invoke.ts `delegate`), not execs of the thin clients back into this server.
 */
export async function startCniServer(o: { socketPath?: string; hostNetns?: string } = {}): Promise<CniServer> {
  const socketPath = o.socketPath ?? DEFAULT_CNI_SOCKET;
  prepareSocketPath(socketPath);
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/status') {
      // calls still running (a caller that was killed does not stop its call): a runtime waits for 0 before a GC
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ inFlight }));
      return;
    }
    const m = /^\/v1\/plugins\/([a-z0-9-]+)$/.exec(req.url ?? '');
    const load = m ? PLUGINS[m[1]!] : undefined;
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || !load) {
          res.writeHead(404, { 'x-cni-exit': '1' }).end(JSON.stringify({ code: 999, msg: `no podnet plugin at ${req.url}` }));
          return;
        }
        const env: Record<string, string> = {};
        const rawEnv = Buffer.from(String(req.headers['x-cni-env'] ?? ''), 'base64').toString('utf8');
        for (const line of rawEnv.split('\n')) {
          const i = line.indexOf('=');
          if (i > 0 && (line.startsWith('CNI_') || line.startsWith('PODNET_CNI_'))) env[line.slice(0, i)] = line.slice(i + 1);
        }
        // the thin clients' form: one `x-cni-env-<NAME>` header per variable
        for (const [h, v] of Object.entries(req.headers)) {
          if (!h.startsWith(ENV_HEADER) || typeof v !== 'string') continue;
          const k = h.slice(ENV_HEADER.length).toUpperCase();
          if (k.startsWith('CNI_') || k.startsWith('PODNET_CNI_')) env[k] = v;
        }
        const plugin = await load();
        const call = () => invoke(plugin, { env, stdin: () => Buffer.concat(chunks) });
        inFlight++;
        const out = await (o.hostNetns ? withPluginHostNs(o.hostNetns, call) : call()).finally(() => { inFlight--; });
        res.writeHead(200, { 'content-type': 'application/json', 'x-cni-exit': String(out.exitCode) }).end(out.stdout);
      })().catch((e: unknown) => {
        res.writeHead(500, { 'x-cni-exit': '1' }).end(JSON.stringify({ code: 999, msg: `podnet CNI server: ${(e as Error).message}` }));
      });
    });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(socketPath, () => resolve()); });
  lockSocket(socketPath);
  const stopInProcess = serveDelegatesInProcess();
  // host-local's and portmap's locks: flock(2) in this process, not a `flock` child per call
  await inProcessFileLocks();
  return {
    socketPath,
    close: () => new Promise<void>((resolve) => { stopInProcess(); server.close(() => { try { unlinkSync(socketPath); } catch { /* gone */ } resolve(); }); server.closeAllConnections(); }),
  };
}
