import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labExec, labKubeconfig, partNetns } from './exec.js';

test('lab parts map to their namespaces; a missing one is an ENOLAB error, nothing is run', () => {
  assert.equal(partNetns('demo', 'node1'), 'pn-demo-node1');
  assert.equal(partNetns('demo', 'client'), 'pn-demo-ext');
  assert.equal(partNetns('demo', 'master'), 'pn-demo-master');
  assert.throws(() => labExec('no-such-lab-xyz', 'node1', ['true']), (e: unknown) => (e as { code?: string }).code === 'ENOLAB' && /pn-no-such-lab-xyz-node1/.test((e as Error).message));
  assert.throws(() => labKubeconfig('no-such-lab-xyz'), (e: unknown) => (e as { code?: string }).code === 'ENOLAB');
});
