import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentPaths, ensureStateDirs } from './paths.js';
import { CONFLIST_FILE, flannelNetConf, nodeConflist, writeAtomic, writeNodeConflist } from './conflist.js';
import { parseConfList } from '../cni/runtime/index.js';

test('the node conflist is seed 003\'s flannel + portmap, pointing into the state dir', () => {
  const p = agentPaths('/s');
  const l = nodeConflist(p) as { name: string; cniVersion: string; plugins: Record<string, unknown>[] };
  assert.deepEqual([l.name, l.cniVersion, l.plugins.map((x) => x.type)], ['cbr0', '0.3.1', ['flannel', 'portmap']]);
  assert.deepEqual(l.plugins[0], { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true }, subnetFile: '/s/flannel/subnet.env', dataDir: '/s/cni/flannel', ipam: { dataDir: '/s/cni/networks' } });
  assert.deepEqual(flannelNetConf('10.244.0.0/16', 'host-gw'), { Network: '10.244.0.0/16', Backend: { Type: 'host-gw' } });
  assert.deepEqual(flannelNetConf('10.244.0.0/16', undefined).Backend, { Type: 'vxlan' });
});

test('the written conflist parses as the CNI runtime reads it; an unchanged rewrite leaves the file alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-node-'));
  try {
    const p = agentPaths(dir);
    ensureStateDirs(p);
    writeNodeConflist(p);
    const file = join(p.confDir, CONFLIST_FILE);
    const parsed = parseConfList(readFileSync(file), file);
    assert.deepEqual(parsed.plugins.map((x) => x.type), ['flannel', 'portmap']);
    const ino = statSync(file).ino;
    writeNodeConflist(p);
    assert.equal(statSync(file).ino, ino, 'same content: not replaced');
    writeAtomic(file, '{}\n');
    assert.notEqual(statSync(file).ino, ino, 'new content: replaced by rename');
    assert.equal(readFileSync(file, 'utf8'), '{}\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
