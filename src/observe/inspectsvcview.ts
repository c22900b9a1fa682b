/** `podnet inspect svc`'s human output (pure): the Service, endpoints per node, the node's rules for it. */
import type { SvcInspection } from './inspectsvc.js';
import { renderFields, renderTable } from './table.js';

const indent = (text: string, n = 2): string => text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

export function renderSvcInspection(s: SvcInspection): string {
  let out = renderFields([
    ['Service', `${s.namespace}/${s.name}`],
    ['Type', s.type],
    ['ClusterIPs', s.clusterIPs.join(', ') || 'None'],
  ]);
  out += 'Ports:\n' + indent(renderTable(['NAME', 'PORT', 'TARGET', 'NODEPORT', 'SERVICE PORT NAME'],
    s.ports.map((p) => [p.name || '<unset>', `${p.port}/${p.protocol}`, p.targetPort, p.nodePort ? String(p.nodePort) : '-', p.servicePortName])));
  out += 'Endpoints (EndpointSlices, per node):\n' + (s.endpointsByNode.length
    ? indent(renderTable(['NODE', 'ENDPOINT', 'READY', 'POD'], s.endpointsByNode.flatMap((n) => n.endpoints.map((e) => [n.node, `${e.ip}:${e.port}`, String(e.ready), e.pod ?? '-']))))
    : '  <none>\n');
  const configured = s.configuredProxyMode && s.configuredProxyMode !== s.proxyMode ? `; the agent was started with ${s.configuredProxyMode}` : '';
  out += `Rules on node ${s.node} (proxy mode ${s.proxyMode}${configured}):\n`;
  for (const r of s.rules) {
    out += `  ${r.port}:\n`;
    if (!r.chains.length && !r.mapElements.length) out += '    <no rules found>\n';
    for (const c of r.chains) {
      const counted = s.proxyMode !== 'nftables' || c.countedVia !== undefined || c.rules.some((x) => /\bcounter\b/.test(x.rule));
      out += `    ${c.name} (${c.role}; ${counted ? `entered ${c.packets} packets, ${c.bytes} bytes${c.countedVia ? `, by ${c.countedVia}` : ''}` : 'its rules carry no counters'})\n`;
      out += indent(renderTable(['PKTS', 'BYTES', 'RULE'], c.rules.map((x) => [String(x.packets), String(x.bytes), x.rule])), 6);
    }
    if (r.mapElements.length) out += indent(renderTable(['MAP', 'ELEMENT'], r.mapElements.map((e) => [e.map, e.element])), 4);
  }
  if (s.ipvs) {
    out += `IPVS on node ${s.node}:\n`;
    if (s.ipvs.statement) out += `  ${s.ipvs.statement}\n`;
    for (const p of s.ipvs.ports) {
      if (!p.virtualServices.length) continue;
      out += `  ${p.port}:\n` + indent(renderTable(['VIRTUAL SERVICE', 'SCHEDULER', 'REAL SERVER', 'FORWARD', 'WEIGHT', 'ACTIVE', 'INACTIVE'],
        p.virtualServices.flatMap((v) => (v.realServers.length ? v.realServers : [undefined]).map((r) => [`${v.protocol} ${v.address}:${v.port}`, [v.scheduler, ...v.flags].join(' '),
          r ? `${r.address}:${r.port}` : '-', r?.forward ?? '-', r ? String(r.weight) : '-', r ? String(r.activeConns) : '-', r ? String(r.inactiveConns) : '-']))), 4);
    }
  }
  if (s.portalRules) {
    out += s.portalRules.length ? indent(renderTable(['PKTS', 'BYTES', 'RULE'], s.portalRules.map((x) => [String(x.packets), String(x.bytes), x.rule])), 4) : '    <no portal rules found>\n';
  }
  return out;
}
