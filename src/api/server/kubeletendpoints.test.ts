import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../storage/sqlite.js';
import { KubeletEndpoints, isNodeItself, socketOnDiskProblem, socketPathProblem } from './kubeletendpoints.js';
import { ApiStatusError } from './status.js';

const node = (name: string, path: string) => ({ metadata: { name }, status: { daemonEndpoints: { kubeletEndpoint: { Port: 0, Path: path } } } });
const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function listen(path: string): Promise<Server> {
  return new Promise((resolve, reject) => { const s = createServer(); s.once('error', reject); s.listen(path, () => resolve(s)); });
}

test('isNodeItself: the node\'s own credential only', () => {
  assert.equal(isNodeItself(n1, 'n1'), true);
  assert.equal(isNodeItself(n1, 'n2'), false);
  assert.equal(isNodeItself(admin, 'n1'), false);
  assert.equal(isNodeItself({ name: 'system:node:n1', groups: [] }, 'n1'), false);
  assert.equal(isNodeItself(undefined, 'n1'), false);
});

test('socket paths must be absolute, normalized and under the root', () => {
  assert.equal(socketPathProblem('/run/podnet/lab', '/run/podnet/lab/nodes/n1/kubelet.sock'), undefined);
  assert.match(socketPathProblem('/run/podnet/lab', '/run/podnet/other/kubelet.sock')!, /outside the kubelet socket root/);
  assert.match(socketPathProblem('/run/podnet/lab', '/run/podnet/lab/../x.sock')!, /not a normalized path/);
  assert.match(socketPathProblem('/run/podnet/lab', 'nodes/n1/kubelet.sock')!, /not an absolute path/);
  assert.match(socketPathProblem('/run/podnet/lab', '/run/podnet/lab')!, /outside/);
  assert.match(socketPathProblem('/run/podnet/lab', '/run/podnet/lab2/k.sock')!, /outside/);
  assert.match(socketPathProblem('/run/podnet/lab', '/var/run/docker.sock')!, /outside/);
});

test('registry: only the node itself registers, only under the root; lookups check the disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-tkubeletep-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'n1'), { recursive: true });
  const store = new SqliteStore(join(dir, 'store.db'), { compactIntervalMs: 0 });
  const servers: Server[] = [];
  try {
    const eps = new KubeletEndpoints(store, root);
    const good = join(root, 'n1', 'kubelet.sock');
    servers.push(await listen(good));
    await assert.rejects(eps.socketFor('n1'), (e: unknown) => e instanceof ApiStatusError && e.httpCode === 400 && /has not registered a kubelet endpoint/.test(e.message));
    // an admin (or another node) writing the field: ignored
    assert.equal(await eps.noteNodeWrite(admin, node('n1', good)), 'ignored');
    assert.equal(await eps.noteNodeWrite({ name: 'system:node:n2', groups: ['system:nodes'] }, node('n1', good)), 'ignored');
    await assert.rejects(eps.socketFor('n1'));
    // the node itself, outside the root: ignored
    const outside = join(dir, 'evil.sock');
    servers.push(await listen(outside));
    assert.equal(await eps.noteNodeWrite(n1, node('n1', outside)), 'ignored');
    // the node itself, under the root: recorded, persisted
    assert.equal(await eps.noteNodeWrite(n1, node('n1', good)), 'recorded');
    assert.equal(await eps.noteNodeWrite(n1, node('n1', good)), 'unchanged');
    assert.equal(await eps.socketFor('n1'), good);
    // a later admin write does not move it
    assert.equal(await eps.noteNodeWrite(admin, node('n1', outside)), 'ignored');
    assert.equal(await new KubeletEndpoints(store, root).socketFor('n1'), good);
    // a symlinked directory that leads out of the root is refused at connect time
    const escape = join(root, 'n1', 'escape');
    symlinkSync(dir, escape);
    assert.equal(await eps.noteNodeWrite(n1, node('n1', join(escape, 'evil.sock'))), 'recorded');
    await assert.rejects(eps.socketFor('n1'), /resolves outside the kubelet socket root/);
    // a regular file is not a socket
    writeFileSync(join(root, 'n1', 'file'), '');
    assert.match(socketOnDiskProblem(root, join(root, 'n1', 'file'))!, /is not a socket/);
  } finally {
    for (const s of servers) s.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
