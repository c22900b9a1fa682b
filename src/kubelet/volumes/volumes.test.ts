import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PodLite } from '../types.js';
import { checkPayloadPath, writePayload } from './atomicwriter.js';
import { checkHostPath, PodVolumes, tokenRefreshAt, type TokenRequestSpec, type VolumeApi } from './index.js';

function withDir(fn: (d: string) => Promise<void> | void): Promise<void> {
  const d = mkdtempSync(join(tmpdir(), 'podnet-vol-'));
  return Promise.resolve(fn(d)).finally(() => rmSync(d, { recursive: true, force: true }));
}

/** A fake API: configMaps/secrets from maps, tokens numbered, every request recorded. */
function fakeApi(): VolumeApi & { tokens: { ns: string; sa: string; spec: TokenRequestSpec }[]; cms: Map<string, Record<string, string>>; secrets: Map<string, Record<string, string>> } {
  const cms = new Map<string, Record<string, string>>();
  const secrets = new Map<string, Record<string, string>>();
  const tokens: { ns: string; sa: string; spec: TokenRequestSpec }[] = [];
  return {
    cms, secrets, tokens,
    getConfigMap: async (ns, n) => { const d = cms.get(`${ns}/${n}`); return d ? { data: d } : undefined; },
    getSecret: async (ns, n) => { const d = secrets.get(`${ns}/${n}`); return d ? { data: Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) } : undefined; },
    requestToken: async (ns, sa, spec) => {
      tokens.push({ ns, sa, spec });
      return { token: `token-${tokens.length}`, expirationTimestamp: new Date(clock.now + spec.expirationSeconds * 1000).toISOString() };
    },
  };
}
const clock = { now: Date.parse('2026-01-01T00:00:00Z') };

/** The projected volume upstream's ServiceAccount admission injects. */
const kubeApiAccess = {
  name: 'kube-api-access-x7k2p',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

function pod(volumes: unknown[], mounts: unknown[]): PodLite {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1', uid: 'u1', labels: { app: 'x', tier: 'web' } },
    spec: { serviceAccountName: 'robot', volumes: volumes as never, containers: [{ name: 'c', image: 'busybox', volumeMounts: mounts as never }] },
  } as PodLite;
}

function vols(dir: string, api: VolumeApi): PodVolumes {
  return new PodVolumes({ api, podDir: (uid) => join(dir, uid), fieldValue: (p, path) => (path === 'metadata.namespace' ? p.metadata.namespace! : path === 'metadata.name' ? p.metadata.name! : ''), now: () => clock.now, resyncMs: 60_000 });
}

test('atomic writer: ..data swap, top-level links, removed keys go, unchanged payload is not rewritten; bad paths refused', () => withDir((d) => {
  const v = join(d, 'v');
  assert.equal(writePayload(v, new Map([['a', { data: Buffer.from('1'), mode: 0o644 }], ['sub/b', { data: Buffer.from('2'), mode: 0o600 }]])), true);
  assert.equal(readlinkSync(join(v, 'a')), '..data/a');
  assert.equal(readFileSync(join(v, 'sub/b'), 'utf8'), '2');
  assert.equal(statSync(join(v, 'sub/b')).mode & 0o777, 0o600);
  const first = readlinkSync(join(v, '..data'));
  assert.equal(writePayload(v, new Map([['a', { data: Buffer.from('1'), mode: 0o644 }], ['sub/b', { data: Buffer.from('2'), mode: 0o600 }]])), false);
  assert.equal(writePayload(v, new Map([['a', { data: Buffer.from('one'), mode: 0o644 }]])), true);
  assert.equal(readFileSync(join(v, 'a'), 'utf8'), 'one');
  assert.equal(existsSync(join(v, 'sub')), false);
  assert.equal(existsSync(join(v, first)), false, 'old payload dir removed');
  for (const bad of ['/etc/x', '../x', 'a/../../x', '']) assert.throws(() => checkPayloadPath(bad), /must be relative/);
}));

test('kube-api-access projected volume: TokenRequest (pod-bound, expirationSeconds), ca.crt, namespace; mounted read-only', () => withDir(async (d) => {
  const api = fakeApi();
  api.cms.set('ns1/kube-root-ca.crt', { 'ca.crt': 'CA PEM' });
  const v = vols(d, api);
  const p = pod([kubeApiAccess], [{ name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);
  await v.setUp(p);
  assert.deepEqual(api.tokens, [{ ns: 'ns1', sa: 'robot', spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u1' } } }]);
  const dir = join(d, 'u1', 'volumes', 'kubernetes.io~projected', 'kube-api-access-x7k2p');
  assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'token-1');
  assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), 'CA PEM');
  assert.equal(readFileSync(join(dir, 'namespace'), 'utf8'), 'ns1');
  assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o644);
  assert.deepEqual(v.binds(p, p.spec.containers[0]!), [{ source: dir, target: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);
  // not due yet: no new token
  clock.now += 2800_000;
  await v.setUp(p);
  assert.equal(api.tokens.length, 1);
  // 80% of 3607 s = 2885.6 s: renewed, the file changes under the same mount
  clock.now += 100_000;
  await v.setUp(p);
  assert.equal(api.tokens.length, 2);
  assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'token-2');
  assert.equal(tokenRefreshAt(0, 3607_000), 2885_600);
  assert.equal(tokenRefreshAt(0, 7 * 24 * 3600_000), 24 * 3600_000, 'renewed at least daily');
}));

test('configMap and secret volumes: items, defaultMode, updates after the resync, missing → FailedMount message, optional', () => withDir(async (d) => {
  const api = fakeApi();
  api.cms.set('ns1/cfg', { 'app.conf': 'v=1', other: 'x' });
  api.secrets.set('ns1/db', { password: 's3cret' });
  const v = vols(d, api);
  const p = pod([
    { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
    { name: 'db', secret: { secretName: 'db', defaultMode: 0o400 } },
    { name: 'opt', secret: { secretName: 'nope', optional: true } },
    { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    { name: 'scratch', emptyDir: {} },
  ], [
    { name: 'cfg', mountPath: '/etc/app' }, { name: 'db', mountPath: '/secrets' }, { name: 'scratch', mountPath: '/data', subPath: 'c1' },
    { name: 'info', mountPath: '/etc/podinfo' },
  ]);
  await v.setUp(p);
  const cm = join(d, 'u1', 'volumes', 'kubernetes.io~configmap', 'cfg');
  assert.equal(readFileSync(join(cm, 'conf/app.conf'), 'utf8'), 'v=1');
  assert.equal(existsSync(join(cm, 'other')), false);
  const sec = join(d, 'u1', 'volumes', 'kubernetes.io~secret', 'db');
  assert.equal(readFileSync(join(sec, 'password'), 'utf8'), 's3cret');
  assert.equal(statSync(join(sec, 'password')).mode & 0o777, 0o400);
  assert.equal(readFileSync(join(d, 'u1', 'volumes', 'kubernetes.io~downward-api', 'info', 'labels'), 'utf8'), 'app="x"\ntier="web"');
  const binds = v.binds(p, p.spec.containers[0]!);
  assert.deepEqual(binds.map((b) => [b.target, b.readOnly]), [['/etc/app', true], ['/secrets', true], ['/data', false], ['/etc/podinfo', true]]);
  assert.ok(lstatSync(binds[2]!.source).isDirectory() && binds[2]!.source.endsWith('/kubernetes.io~empty-dir/scratch/c1'));
  // an update shows after the resync interval
  api.cms.set('ns1/cfg', { 'app.conf': 'v=2' });
  await v.setUp(p);
  assert.equal(readFileSync(join(cm, 'conf/app.conf'), 'utf8'), 'v=1');
  clock.now += 61_000;
  await v.setUp(p);
  assert.equal(readFileSync(join(cm, 'conf/app.conf'), 'utf8'), 'v=2');
  // a missing configMap: upstream's FailedMount wording
  const bad = pod([{ name: 'gone', configMap: { name: 'gone' } }], []);
  bad.metadata.uid = 'u2';
  await assert.rejects(v.setUp(bad), /MountVolume.SetUp failed for volume "gone" : configmap "gone" not found/);
  // a mount naming no volume
  assert.throws(() => v.binds(pod([], []), { name: 'c', image: 'busybox', volumeMounts: [{ name: 'x', mountPath: '/x' }] }), /volume "x" not found/);
}));

test('hostPath types: DirectoryOrCreate creates, Directory/File check, FileOrCreate creates a file', () => withDir((d) => {
  checkHostPath(join(d, 'made'), 'DirectoryOrCreate');
  assert.ok(statSync(join(d, 'made')).isDirectory());
  assert.throws(() => checkHostPath(join(d, 'missing'), 'Directory'), /is not a directory/);
  writeFileSync(join(d, 'f'), 'x');
  checkHostPath(join(d, 'f'), 'File');
  assert.throws(() => checkHostPath(join(d, 'f'), 'Directory'), /hostPath type check failed/);
  checkHostPath(join(d, 'new.txt'), 'FileOrCreate');
  assert.ok(statSync(join(d, 'new.txt')).isFile());
  assert.throws(() => checkHostPath('rel/path', ''), /must be absolute/);
  assert.throws(() => checkHostPath(d, 'Weird'), /not supported/);
}));
