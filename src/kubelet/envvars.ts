/** Docker-link style service environment variables, as the kubelet injects them (enableServiceLinks). */

export interface ServiceLite {
  metadata: { name?: string; namespace?: string };
  spec?: { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
}

function envName(s: string): string { return s.toUpperCase().replace(/-/g, '_'); }

/** Variables for one service: FOO_SERVICE_HOST, FOO_SERVICE_PORT[_NAME], FOO_PORT, FOO_PORT_<p>_<PROTO>[_PROTO|_PORT|_ADDR]. */
export function serviceEnv(svc: ServiceLite): Record<string, string> {
  const ip = svc.spec?.clusterIP;
  const ports = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || !ports.length || !svc.metadata.name) return {};
  const n = envName(svc.metadata.name);
  const out: Record<string, string> = { [`${n}_SERVICE_HOST`]: ip, [`${n}_SERVICE_PORT`]: String(ports[0]!.port) };
  for (const p of ports) if (p.name) out[`${n}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const first = ports[0]!;
  out[`${n}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${host}:${first.port}`;
  for (const p of ports) {
    const proto = (p.protocol ?? 'TCP').toUpperCase();
    const pfx = `${n}_PORT_${p.port}_${proto}`;
    out[pfx] = `${proto.toLowerCase()}://${host}:${p.port}`;
    out[`${pfx}_PROTO`] = proto.toLowerCase();
    out[`${pfx}_PORT`] = String(p.port);
    out[`${pfx}_ADDR`] = ip;
  }
  return out;
}

/**
 * The service variables for a pod in `namespace`: its namespace's services when service links are
 * enabled, plus the master service `kubernetes` from `default` always (as upstream does).
 */
export function podServiceEnv(services: ServiceLite[], namespace: string, enableServiceLinks = true): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of services) {
    const ns = s.metadata.namespace ?? 'default';
    if ((enableServiceLinks && ns === namespace) || (ns === 'default' && s.metadata.name === 'kubernetes')) Object.assign(out, serviceEnv(s));
  }
  return out;
}
