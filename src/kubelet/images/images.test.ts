import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinImage, imageRepo, ImageStore, resolveImage } from './index.js';
import { buildImage, storedImage, treeDigest } from './build.js';

test('image names: tags, digests, docker.io and library/ prefixes', () => {
  assert.equal(builtinImage('podnet/echo'), 'podnet/echo');
  assert.equal(builtinImage('docker.io/podnet/mysql:5.7'), 'podnet/mysql');
  assert.equal(builtinImage('busybox:1.36'), 'busybox');
  assert.equal(builtinImage('docker.io/library/busybox@sha256:abcdef'), 'busybox');
  assert.equal(builtinImage('nginx'), undefined);
  assert.equal(imageRepo('busybox'), 'docker.io/library/busybox');
  assert.equal(imageRepo('podnet/echo'), 'docker.io/podnet/echo');
});

test('unknown and malformed images: ErrImagePull / InvalidImageName, nothing built', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-img-'));
  try {
    const store = new ImageStore(dir);
    const r = resolveImage('nginx:1.25', undefined, undefined, store);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === 'ErrImagePull' && /failed to pull and unpack image "nginx:1.25"/.test(r.message), JSON.stringify(r));
    const bad = resolveImage('Busy Box', undefined, undefined, store);
    assert.ok(!bad.ok && bad.reason === 'InvalidImageName');
    assert.equal(existsSync(join(dir, 'sha256')), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('busybox image: a rootfs with applet links, content-addressed, rebuilt to the same digest; command/args rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-img-'));
  try {
    const m = buildImage(dir, 'busybox');
    assert.match(m.digest, /^sha256:[0-9a-f]{64}$/);
    const root = join(dir, 'layers', m.layer.slice(7), 'rootfs');
    assert.ok(lstatSync(join(root, 'bin/busybox')).isFile());
    assert.equal(readlinkSync(join(root, 'bin/sh')), 'busybox');
    assert.equal(treeDigest(root).digest, m.layer.slice(7));
    const shell = buildImage(dir, 'podnet/shell');
    assert.equal(shell.layer, m.layer, 'same tree stored once');
    assert.notEqual(shell.digest, m.digest, 'another config: another image id');
    assert.deepEqual(storedImage(dir, 'busybox'), m);
    const again = buildImage(dir, 'busybox', { force: true });
    assert.equal(again.digest, m.digest);
    const store = new ImageStore(dir);
    const def = resolveImage('busybox:latest', undefined, undefined, store);
    assert.ok(def.ok);
    assert.deepEqual(def.ok && def.argv, ['sh']);
    assert.equal(def.ok && def.image.imageID, `docker.io/library/busybox@${m.digest}`);
    assert.equal(def.ok && def.image.rootfs, root);
    assert.equal(def.ok && def.image.env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    const cmd = resolveImage('busybox', ['ls'], ['-l', '/'], store);
    assert.deepEqual(cmd.ok && cmd.argv, ['ls', '-l', '/']);
    const args = resolveImage('busybox', undefined, ['echo', 'hi'], store);
    assert.deepEqual(args.ok && args.argv, ['echo', 'hi']);
    const host = resolveImage('podnet/host', ['python3'], ['-m', 'http.server'], store);
    assert.ok(host.ok && host.argv.join(' ') === 'python3 -m http.server' && host.image.rootfs === undefined && /^docker\.io\/podnet\/host@sha256:/.test(host.image.imageID));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
