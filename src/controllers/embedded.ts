/**
 * The controllers embedded in the `podnet apiserver` process: a client to the server that was just
 * started (its admin credentials) and the controller manager on it. The command wires the two
 * together; the API server itself knows nothing of either.
 */
import { createClient } from '../client/http.js';
import type { ClientConfig } from '../client/types.js';
import { startControllerManager, type ControllerManager, type ControllerOptions } from './index.js';

export interface EmbeddedControllers {
  manager: ControllerManager;
  /** Stops the controllers (abort, then wait for every worker) and closes their client. */
  stop(): Promise<void>;
}

/** Connects to the API server at `api` and starts the controllers; resolves once their caches synced. */
export async function startEmbeddedControllers(api: ClientConfig, opts: ControllerOptions): Promise<EmbeddedControllers> {
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
  return {
    manager,
    async stop() {
      ac.abort();
      await manager.done.catch(() => undefined);
      client.close();
    },
  };
}
