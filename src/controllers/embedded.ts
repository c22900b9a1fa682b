/**
 * The controllers embedded in the `podnet apiserver` process: a client to the server that was just
 * started (its admin credentials) and the controller manager on it. The command wires the two
 * together; the API server itself knows nothing of either.
 */
import { createClient } from '../client/http.js';
import type { ClientConfig } from '../client/types.js';
import { serveHealthAndMetrics, type HealthServer } from '../util/healthserver.js';
import { startControllerManager, type ControllerManager, type ControllerOptions } from './index.js';
import { controllerRegistry } from './metrics.js';

export interface EmbeddedControllers {
  manager: ControllerManager;
  /** The /healthz + /metrics server when one was asked for. */
  health?: HealthServer;
  /** Stops the controllers (abort, then wait for every worker) and closes their client. */
  stop(): Promise<void>;
}

/** Connects to the API server at `api` and starts the controllers; resolves once their caches synced. */
export async function startEmbeddedControllers(api: ClientConfig, opts: ControllerOptions, healthBind?: { host: string; port: number }): Promise<EmbeddedControllers> {
  const client = createClient({ userAgent: 'podnet-apiserver', ...api });
  const ac = new AbortController();
  let manager: ControllerManager;
  try {
    manager = await startControllerManager(client, opts, ac.signal);
  } catch (e) {
    ac.abort();
    client.close();
    throw e;
  }
  let stopped = false;
  void manager.done.finally(() => { stopped = true; });
  let health: HealthServer | undefined;
  if (healthBind) {
    try {
      health = await serveHealthAndMetrics(healthBind.host, healthBind.port, controllerRegistry, () => (stopped || ac.signal.aborted ? 'controllers stopped' : undefined));
    } catch (e) {
      ac.abort(); await manager.done.catch(() => undefined); client.close();
      throw e;
    }
  }
  return {
    manager, health,
    async stop() {
      await health?.close();
      ac.abort();
      await manager.done.catch(() => undefined);
      client.close();
    },
  };
}
