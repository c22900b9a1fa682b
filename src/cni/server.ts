import { createServer, type Server } from 'node:http';
import { unlinkSync } from 'node:fs';
import { lockSocket, prepareSocketPath } from '../util/unixsocket.js';
import { PLUGINS } from './plugins/registry.js';
import { invoke } from './skel.js';
import { serveDelegatesInProcess } from './invoke.js';
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
 * Plugins see this process's network namespace as the host's: run it inside the node namespace.
 * While it serves, their delegations to podnet's own plugins (flannel → bridge → host-local) are
 * function calls too (invoke.ts `delegate`), not execs of the thin clients back into this server.
 */
export async function startCniServer(o: { socketPath?: string } = {}): Promise<CniServer> {
  const socketPath = o.socketPath ?? DEFAULT_CNI_SOCKET;
  prepareSocketPath(socketPath);
  const server: Server = createServer((req, res) => {
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
        const out = await invoke(await load(), { env, stdin: () => Buffer.concat(chunks) });
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
