/** flanneld's /healthz (the lease is held, flannel has not stopped) and /metrics. */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { serveHealthAndMetrics, type HealthServer } from '../util/healthserver.js';
import type { FlannelHandle } from './index.js';

export function flannelMetrics(h: Pick<FlannelHandle, 'lease' | 'network' | 'mtu'>): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg });
  new Gauge({ name: 'flannel_subnet_info', help: 'The subnet this node leased, its network, backend and MTU (always 1).', labelNames: ['subnet', 'network', 'backend', 'public_ip', 'mtu'], registers: [reg] })
    .set({ subnet: h.lease.subnet, network: h.network, backend: h.lease.attrs.BackendType, public_ip: h.lease.attrs.PublicIP, mtu: String(h.mtu) }, 1);
  return reg;
}

export function serveFlannelHealth(host: string, port: number, h: FlannelHandle, signal: AbortSignal): Promise<HealthServer> {
  return serveHealthAndMetrics(host, port, flannelMetrics(h), () => (signal.aborted ? 'stopping' : undefined));
}
