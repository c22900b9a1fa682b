/**
 * A tiny OCI image archive built by hand (image-spec 1.0 layout): one uncompressed layer holding
 * Debian's busybox-static as /bin/busybox plus the applet links a test needs, an image config,
 * a manifest and index.json naming the image (containerd's `io.containerd.image.name`), tarred so
 * `ctr image import` takes it. No registry, no network.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const ociArch = (): string => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;

export interface OciImage { archive: string; name: string; layerDigest: string; manifestDigest: string }

/** Writes `<dir>/image.tar`; `applets` become symlinks to busybox in /bin. */
export function buildBusyboxImage(dir: string, name: string, applets: readonly string[], busybox = '/bin/busybox'): OciImage {
  statSync(busybox); // a clear ENOENT when busybox-static is missing
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['etc', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
  chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of applets) symlinkSync('busybox', join(rootfs, 'bin', a));
  const layerPath = join(dir, 'layer.tar');
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', rootfs, '-cf', layerPath, '.']);
  const layout = join(dir, 'layout');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer): { digest: string; size: number } => { const h = sha(b); writeFileSync(join(blobs, h), b); return { digest: `sha256:${h}`, size: b.length }; };
  const layer = readFileSync(layerPath);
  const layerBlob = put(layer);
  const config = put(Buffer.from(JSON.stringify({
    architecture: ociArch(), os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [layerBlob.digest] }, // uncompressed: diff_id = digest
    history: [{ created_by: 'podnet test: busybox-static' }],
  })));
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layerBlob }],
  })));
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest,
      platform: { architecture: ociArch(), os: 'linux' },
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.split(':').pop()! } }],
  }));
  const archive = join(dir, 'image.tar');
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs']);
  return { archive, name, layerDigest: layerBlob.digest, manifestDigest: manifest.digest };
}
