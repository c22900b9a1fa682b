import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProtocols } from './bird.js';

test('parseProtocols reads birdc show protocols', () => {
  const text = 'BIRD 2.0.12 ready.\nName       Proto      Table      State  Since         Info\ndevice1    Device     ---        up     13:20:44.091  \nMesh_10_0_0_2 BGP        ---        start  13:20:44.091  Idle          \nMesh_10_0_0_3 BGP        ---        up     13:21:02.5  Established   \n';
  assert.deepEqual(parseProtocols(text).map((p) => [p.name, p.proto, p.state, p.since, p.info]), [
    ['device1', 'Device', 'up', '13:20:44.091', ''], ['Mesh_10_0_0_2', 'BGP', 'start', '13:20:44.091', 'Idle'], ['Mesh_10_0_0_3', 'BGP', 'up', '13:21:02.5', 'Established'],
  ]);
});
