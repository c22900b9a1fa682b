import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNodeStatus, peerStatuses } from './status.js';

test('bgp status: protocol names → peer address and type; calicoctl-style table', () => {
  const peers = peerStatuses([
    { name: 'device1', proto: 'Device', state: 'up', since: '13:20:44.091', info: '' },
    { name: 'Mesh_192_168_138_222', proto: 'BGP', state: 'up', since: '13:23:33.849', info: 'Established' },
    { name: 'Node_10_0_1_1', proto: 'BGP', state: 'start', since: '13:23:33.849', info: 'Active        Socket: Connection refused' },
  ]);
  assert.deepEqual(peers.map((p) => [p.peerAddress, p.peerType, p.state, p.since, p.info]), [
    ['192.168.138.222', 'node-to-node mesh', 'up', '13:23:33', 'Established'], ['10.0.1.1', 'node specific', 'start', '13:23:33', 'Active'],
  ]);
  const t = formatNodeStatus(true, peers);
  assert.match(t, /^Calico process is running\.\n\nIPv4 BGP status\n\+-+\+/);
  assert.match(t, /\|  PEER ADDRESS   \|     PEER TYPE     \| STATE \|  SINCE   \|    INFO     \|/);
  assert.match(t, /\| 192\.168\.138\.222 \| node-to-node mesh \| up    \| 13:23:33 \| Established \|/);
  assert.equal(formatNodeStatus(false, []), 'Calico process is not running.\n');
});
