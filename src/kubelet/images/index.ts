/**
 * The images built into podnet (nothing is pulled) and how a container's argv is derived from them.
 * Every image but podnet/host is a root filesystem (./build.ts) the container pivots into;
 * podnet/host is the host's own view (like a privileged pod with hostPath /), kept for tools.
 */
import { createHash } from 'node:crypto';
import { buildImage, defaultImagesDir, imageRootfs, podnetMounts, storedImage, IMAGE_NAMES, IMAGE_PATH, type ImageManifest, type RootfsImageName } from './build.js';

export { buildAllImages, buildImage, defaultImagesDir, IMAGE_NAMES, type ImageManifest } from './build.js';

const BUILTIN_IMAGES = [...IMAGE_NAMES, 'podnet/host'] as const;

/** The static busybox on the host (kept for callers of the earlier API). */
export const BUSYBOX = '/bin/busybox';
export type BuiltinImage = RootfsImageName | 'podnet/host';

/**
 * `podnet/echo`, `podnet/echo:1.0`, `docker.io/podnet/echo@sha256:…`, `busybox:1.36`,
 * `docker.io/library/busybox` → the built-in name; else undefined.
 */
export function builtinImage(image: string): BuiltinImage | undefined {
  let s = image.trim();
  s = s.replace(/@sha256:[0-9a-f]+$/i, '');
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  s = s.replace(/^(docker\.io|registry-1\.docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
  return (BUILTIN_IMAGES as readonly string[]).includes(s) ? (s as BuiltinImage) : undefined;
}

/** The repository part containerd shows in an imageID: docker.io/library/busybox, docker.io/podnet/echo. */
export function imageRepo(name: BuiltinImage): string { return name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`; }

function notBuiltInMessage(image: string): string {
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not built into podnet (images: ${BUILTIN_IMAGES.join(', ')}, any tag)`;
}

/** podnet/host has no rootfs: its id is the digest of its one-line description. */
const HOST_DIGEST = `sha256:${createHash('sha256').update('podnet/host: the host filesystem\n').digest('hex')}`;

export interface ResolvedImage {
  name: BuiltinImage;
  /** `docker.io/…@sha256:<digest>` as status.containerStatuses[].imageID. */
  imageID: string;
  /** Read-only lower dir of the container's overlay; undefined for podnet/host. */
  rootfs?: string;
  mounts: { source: string; target: string }[];
  /** Image environment (PATH …), before the pod's. */
  env: Record<string, string>;
  workingDir?: string;
}

export type ImageResolution =
  | { ok: true; argv: string[]; image: ResolvedImage }
  | { ok: false; reason: 'ErrImagePull' | 'InvalidImageName'; message: string };

/** Where stored images are looked up and built lazily. */
export class ImageStore {
  private readonly cache = new Map<RootfsImageName, ImageManifest>();
  constructor(readonly dir = defaultImagesDir()) {}

  /** The stored image, built on first use. */
  manifest(name: RootfsImageName): ImageManifest {
    let m = this.cache.get(name);
    if (!m) {
      m = storedImage(this.dir, name) ?? buildImage(this.dir, name);
      this.cache.set(name, m);
    }
    return m;
  }

  rootfs(m: ImageManifest): string { return imageRootfs(this.dir, m.layer); }
}

function envMap(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) { const i = kv.indexOf('='); if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1); }
  return out;
}

/**
 * The argv a container runs, following Kubernetes' rules: `command` replaces the image's
 * ENTRYPOINT (and drops its CMD), `args` replaces CMD. podnet/host: command+args on the host's
 * filesystem (default sleep). An image we do not have: ErrImagePull.
 */
export function resolveImage(image: string, command: string[] | undefined, args: string[] | undefined, store: ImageStore | undefined = new ImageStore()): ImageResolution {
  if (!image) return { ok: false, reason: 'InvalidImageName', message: 'container image is empty' };
  const repo = image.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  if (/\s/.test(image) || /[A-Z]/.test(repo.split('/').slice(-1)[0]!)) return { ok: false, reason: 'InvalidImageName', message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format` };
  const b = builtinImage(image);
  if (!b) return { ok: false, reason: 'ErrImagePull', message: notBuiltInMessage(image) };
  const cmd = command ?? [];
  const arg = args ?? [];
  if (b === 'podnet/host') {
    const line = cmd.length ? [...cmd, ...arg] : arg.length ? arg : ['sleep', 'infinity'];
    return { ok: true, argv: line, image: { name: b, imageID: `${imageRepo(b)}@${HOST_DIGEST}`, mounts: [], env: { PATH: IMAGE_PATH } } };
  }
  let m: ImageManifest;
  try { m = (store ?? new ImageStore()).manifest(b); } catch (e) {
    return { ok: false, reason: 'ErrImagePull', message: `image "${image}" could not be built: ${(e as Error).message}` };
  }
  const entry = cmd.length ? cmd : m.config.entrypoint ?? [];
  const rest = cmd.length || arg.length ? arg : m.config.cmd ?? [];
  const argv = [...entry, ...rest];
  if (!argv.length) return { ok: false, reason: 'ErrImagePull', message: `image "${image}" has no command and the container gives none` };
  return {
    ok: true, argv,
    image: { name: b, imageID: `${imageRepo(b)}@${m.digest}`, rootfs: (store ?? new ImageStore()).rootfs(m), mounts: m.mounts.includes('podnet') ? podnetMounts() : [], env: envMap(m.config.env), ...(m.config.workingDir ? { workingDir: m.config.workingDir } : {}) },
  };
}
