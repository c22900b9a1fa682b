/** `podnet inspect pod`'s human output (pure), in the order of seed 003's steps. */
import type { PodInspection } from './inspectpod.js';
import { renderFields, renderTable } from './table.js';

const indent = (text: string, n = 2): string => text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

const STATE: Record<string, string> = { CONTAINER_RUNNING: 'Running', CONTAINER_EXITED: 'Exited', CONTAINER_CREATED: 'Created', CONTAINER_UNKNOWN: 'Unknown' };

export function renderPodInspection(p: PodInspection): string {
  let out = renderFields([
    ['Pod', `${p.namespace}/${p.name}`],
    ['Node', p.node],
    ['Pod IPs', p.podIPs.join(', ') || '<none>'],
    ['Sandbox', `${p.sandbox.id.slice(0, 13)} (pause pid ${p.sandbox.pid})`],
    ['Netns', p.hostNetwork ? `the node's (hostNetwork) ${p.sandbox.netnsPath}` : `${p.sandbox.netnsName} (${p.sandbox.netnsPath}, inode ${p.sandbox.netnsInode ?? '?'})`],
  ]);
  out += 'Interfaces (in the pod):\n' + indent(renderTable(['NAME', 'INDEX', 'KIND', 'MTU', 'MAC', 'STATE', 'ADDRESSES'],
    p.interfaces.map((i) => [i.peerIfindex !== undefined ? `${i.name}@if${i.peerIfindex}` : i.name, String(i.ifindex), i.kind, String(i.mtu), i.mac || '-', i.state || '-', i.addresses.join(',') || '-'])));
  if (p.peer) {
    out += `Veth peer (on ${p.node}):\n` + indent(renderTable(['NAME', 'INDEX', 'MTU', 'MAC', 'STATE', 'BRIDGE'],
      [[p.peer.name, String(p.peer.ifindex), String(p.peer.mtu), p.peer.mac || '-', p.peer.state || '-', p.peer.bridge ?? '-']]));
  } else if (!p.hostNetwork) out += `Veth peer (on ${p.node}): not found\n`;
  out += 'Routes (in the pod):\n' + indent(renderTable(['DESTINATION', 'GATEWAY', 'DEV', 'SCOPE', 'SRC'],
    p.routes.map((r) => [r.dst, r.gateway ?? '-', r.dev ?? '-', r.scope ?? '-', r.prefsrc ?? '-'])));
  if (p.cni) out += `CNI result (${p.cni.path}):\n` + indent(JSON.stringify(p.cni.result, null, 2)) + '\n';
  else if (!p.hostNetwork) out += 'CNI result: none cached\n';
  out += 'Containers:\n' + indent(renderTable(['CONTAINER', 'NAME', 'IMAGE', 'STATE', 'PID'],
    p.containers.map((c) => [c.id.slice(0, 13), c.name, c.image || '-', STATE[c.state] ?? c.state, String(c.pid)])));
  return out;
}
