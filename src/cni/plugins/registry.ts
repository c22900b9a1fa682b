import type { CniPlugin } from '../types.js';

/** Plugins by name; each loads lazily so an executable imports only its own plugin. */
export const PLUGINS: Record<string, () => Promise<CniPlugin>> = {
  bridge: async () => (await import('./bridge/index.js')).default,
  'host-local': async () => (await import('./host-local/index.js')).default,
  loopback: async () => (await import('./loopback/index.js')).default,
  portmap: async () => (await import('./portmap/index.js')).default,
  flannel: async () => (await import('./flannel/index.js')).default,
  calico: async () => (await import('./calico/index.js')).default,
  'calico-ipam': async () => (await import('./calico-ipam/index.js')).default,
};

