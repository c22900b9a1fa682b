/** `podnet ui`: the lab's live state and the web server, until SIGINT/SIGTERM. */
import { createLogger } from '../util/log.js';
import { LabState } from './labstate.js';
import { checkListen, UiServer } from './server.js';

export interface RunUiOptions { kubeconfig: string; lab?: string; port: number; listen: string }

export async function runUi(o: RunUiOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const host = checkListen(o.listen);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error(`--port ${o.port} is not a port number`);
  const log = createLogger('ui');
  const ac = new AbortController();
  const state = new LabState({ kubeconfig: o.kubeconfig, ...(o.lab ? { lab: o.lab } : {}), log, kernelEveryMs: 8000 });
  const server = new UiServer({ state, kubeconfig: o.kubeconfig, ...(o.lab ? { lab: o.lab } : {}), log });
  const port = await server.listen(o.port);
  await state.start(ac.signal);
  out.write(`podnet ui: http://${host}:${port}/  (lab ${o.lab ?? '-'}; Ctrl-C stops)\n`);
  await new Promise<void>((res) => {
    const stop = (): void => { res(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  ac.abort();
  await server.close();
}
