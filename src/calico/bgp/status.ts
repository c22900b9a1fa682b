/**
 * `podnet bgp status`: BIRD's BGP sessions as `calicoctl node status` prints them (pure): the peer
 * address and type come from the protocol name calico gives each session (Mesh_<ip>, Node_<ip>,
 * Global_<ip>), state and since from BIRD, info is the BGP state (Established, Active, Connect …).
 */
import type { BirdProtocol } from '../../net/bird.js';

export interface PeerStatus { peerAddress: string; peerType: string; state: string; since: string; info: string }

const TYPES: Record<string, string> = { Mesh: 'node-to-node mesh', Node: 'node specific', Global: 'global' };

export function peerStatuses(protocols: readonly BirdProtocol[]): PeerStatus[] {
  const out: PeerStatus[] = [];
  for (const p of protocols) {
    if (p.proto !== 'BGP') continue;
    const m = /^(Mesh|Node|Global)_(\d+)_(\d+)_(\d+)_(\d+)$/.exec(p.name);
    if (!m) continue;
    out.push({ peerAddress: `${m[2]}.${m[3]}.${m[4]}.${m[5]}`, peerType: TYPES[m[1]!]!, state: p.state, since: p.since.replace(/\.\d+$/, ''), info: p.info.split(/\s+/)[0] ?? '' });
  }
  return out;
}

/** The calicoctl table. */
export function formatNodeStatus(running: boolean, peers: readonly PeerStatus[]): string {
  if (!running) return 'Calico process is not running.\n';
  const head = ['PEER ADDRESS', 'PEER TYPE', 'STATE', 'SINCE', 'INFO'];
  const rows = peers.map((p) => [p.peerAddress, p.peerType, p.state, p.since, p.info]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const sep = '+' + w.map((n) => '-'.repeat(n)).join('+') + '+';
  const center = (s: string, n: number): string => { const l = Math.floor((n - s.length) / 2); return ' '.repeat(l) + s + ' '.repeat(n - s.length - l); };
  const line = (cells: string[], c: boolean): string => '|' + cells.map((s, i) => (c ? center(s, w[i]!) : ` ${s.padEnd(w[i]! - 1)}`)).join('|') + '|';
  const L = ['Calico process is running.', '', 'IPv4 BGP status'];
  if (!peers.length) L.push('No IPv4 peers found.');
  else L.push(sep, line(head, true), sep, ...rows.map((r) => line(r, false)), sep);
  L.push('', 'IPv6 BGP status', 'No IPv6 peers found.', '');
  return L.join('\n') + '\n';
}
