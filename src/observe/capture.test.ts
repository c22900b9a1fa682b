import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTarget, writtenFiles } from './capture.js';

test('capture targets kubectl\'s way', () => {
  assert.deepEqual(parseTarget('pod/web'), { kind: 'pod', name: 'web' });
  assert.deepEqual(parseTarget('node/node1'), { kind: 'node', node: 'node1', iface: 'eth0' });
  assert.deepEqual(parseTarget('node/node1/cni0'), { kind: 'node', node: 'node1', iface: 'cni0' });
  assert.deepEqual(parseTarget('underlay'), { kind: 'underlay' });
  for (const bad of ['web', 'pod/', 'svc/x', 'node/a/b/c']) assert.throws(() => parseTarget(bad), (e: unknown) => (e as { code: string }).code === 'EFLAG', bad);
});

test('the files a ring wrote', () => {
  const d = mkdtempSync(join(tmpdir(), 'podnet-cap-'));
  try {
    for (const f of ['c.pcap0', 'c.pcap1', 'c.pcap2', 'other.pcap', 'cat.txt', 'c-20240101-101010.pcap']) writeFileSync(join(d, f), '');
    assert.deepEqual(writtenFiles(join(d, 'c.pcap')), ['c-20240101-101010.pcap', 'c.pcap0', 'c.pcap1', 'c.pcap2'].map((f) => join(d, f)));
  } finally { rmSync(d, { recursive: true, force: true }); }
});
