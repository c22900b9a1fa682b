/**
 * Builds the built-in images as root filesystems from the machine's Debian files (busybox-static
 * with its applet links, node and the libraries it links, the machine's kubectl) and stores each
 * once, content-addressed: `<imagesDir>/sha256/<digest>/{rootfs/,manifest.json}`; `names/<name>`
 * holds the digest a name points at. The digest is a sha256 over a canonical listing of the tree
 * (path, type, mode, symlink target or content sha256), so building twice gives the same digest.
 * Writes are atomic (temp dir + rename): concurrent builders (several lab nodes) are safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync,
  renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PodnetError } from '../../util/errors.js';

export class ImageBuildError extends PodnetError {
  constructor(message: string, options?: { cause?: unknown }) { super('EIMAGEBUILD', message, options); }
}

/** What a container of the image runs and with which environment (as an OCI image config). */
export interface ImageConfig {
  env: string[];
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  user?: string;
}

export interface ImageManifest {
  name: string;
  /** sha256 over the config, the runtime binds and the layer: the image's id. */
  digest: string;
  /** sha256 of the root filesystem's canonical listing: `<imagesDir>/layers/<hex>/` (shared by images with the same tree). */
  layer: string;
  config: ImageConfig;
  /**
   * Read-only binds the runtime adds, by role: `podnet` = the running podnet's own `dist/`,
   * `node_modules/` and `package.json` at /opt/podnet (podnet/echo, podnet/mysql). Resolved by the
   * kubelet that starts the container (`podnetMounts()`), so the stored image names no checkout.
   */
  mounts: ('podnet')[];
  /** Version of this builder (a stored image from an older one is rebuilt). */
  builder: string;
  /** Size of the rootfs in bytes. */
  size: number;
  created: string;
}

export const IMAGE_NAMES = ['busybox', 'podnet/shell', 'podnet/echo', 'podnet/mysql', 'podnet/kubectl'] as const;
export type RootfsImageName = typeof IMAGE_NAMES[number];

export const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const PODNET_DIR = '/opt/podnet';

export function defaultImagesDir(): string { return process.env.PODNET_IMAGES_DIR || '/var/lib/podnet/images'; }

const BUSYBOX_SRC = '/bin/busybox';
const SCRIPT_SRC = '/usr/bin/script';
/** Bumped whenever what goes into an image changes. */
const BUILDER = 'podnet-images/7';
const CURL_SRC = '/usr/bin/curl';
const NC_SRC = '/bin/nc.openbsd';
const DASH_SRC = '/bin/dash';
const GETENT_SRC = '/usr/bin/getent';
const KUBECTL_CANDIDATES = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/local/bin/kubectl', '/usr/bin/kubectl'];

/** dist/ of this build and the project root that holds node_modules and package.json. */
export function projectDirs(): { dist: string; root: string } {
  // this file is dist/src/kubelet/images/build.js
  const dist = join(dirname(new URL(import.meta.url).pathname), '..', '..', '..');
  return { dist: realpathSync(dist), root: realpathSync(join(dist, '..')) };
}

/** Copies a host file into the rootfs at the same path (following symlinks on the host; replacing an applet link). */
function copyHostFile(root: string, src: string, dst = src): void {
  const to = join(root, dst);
  mkdirSync(dirname(to), { recursive: true });
  rmSync(to, { force: true });
  copyFileSync(realpathSync(src), to);
  chmodSync(to, lstatSync(realpathSync(src)).mode & 0o7777);
}

/** The shared libraries an ELF binary links (from ldd), absolute host paths. */
function sharedLibs(bin: string): string[] {
  let out = '';
  try { out = execFileSync('ldd', [bin], { encoding: 'utf8' }); } catch { return []; }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

/** Base of every image: busybox-static and its applet links, /etc/passwd and group, the mount points. */
function buildBase(root: string): void {
  if (!existsSync(BUSYBOX_SRC)) throw new ImageBuildError(`${BUSYBOX_SRC} is missing (apt-get install busybox-static)`);
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home', 'var/tmp', 'run', 'mnt']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'var/tmp'), 0o1777);
  chmodSync(join(root, 'root'), 0o700);
  copyHostFile(root, BUSYBOX_SRC, '/bin/busybox');
  const applets = execFileSync(BUSYBOX_SRC, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) {
    const p = join(root, a);
    if (a === 'bin/busybox' || existsSync(p)) continue;
    mkdirSync(dirname(p), { recursive: true });
    symlinkSync(relative(dirname(p), join(root, 'bin/busybox')), p);
  }
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  // script(1) and the C library it links: exec with a tty allocates its pseudo-terminal inside the container
  copyHostFile(root, SCRIPT_SRC, '/usr/bin/script');
  for (const lib of sharedLibs(SCRIPT_SRC)) copyHostFile(root, lib);
  // the runtime bind-mounts the pod's files over these
  for (const f of ['etc/hosts', 'etc/resolv.conf', 'etc/hostname']) writeFileSync(join(root, f), '');
}

function buildNode(root: string): void {
  const node = realpathSync(process.execPath);
  copyHostFile(root, node, '/usr/bin/node');
  for (const lib of sharedLibs(node)) copyHostFile(root, lib);
  // curl, OpenBSD's nc (UDP, unlike busybox-static's) and glibc's getent (names through NSS: /etc/hosts, then
  // the pod's resolv.conf with its search path), for the network checks people (and the lab tests) run from an
  // echo pod; /bin/sh is Debian's dash here (busybox-static's sh runs its own applets before PATH: its nc)
  for (const [src, dst] of [[CURL_SRC, '/usr/bin/curl'], [NC_SRC, '/usr/bin/nc'], [GETENT_SRC, '/usr/bin/getent'], [DASH_SRC, '/bin/dash'], [DASH_SRC, '/bin/sh']] as const) {
    if (!existsSync(src)) continue;
    copyHostFile(root, src, dst);
    for (const lib of sharedLibs(src)) copyHostFile(root, lib);
  }
  writeFileSync(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  mkdirSync(join(root, PODNET_DIR.slice(1), 'dist'), { recursive: true });
  mkdirSync(join(root, PODNET_DIR.slice(1), 'node_modules'), { recursive: true });
  writeFileSync(join(root, PODNET_DIR.slice(1), 'package.json'), '');
}

function kubectlSource(): string {
  const k = KUBECTL_CANDIDATES.find((p) => existsSync(p));
  if (!k) throw new ImageBuildError(`no kubectl found (${KUBECTL_CANDIDATES.join(', ')})`);
  return k;
}

/** The image's config and runtime binds. */
/** The binds of the `podnet` mount role, from the running podnet's own files. */
export function podnetMounts(): { source: string; target: string }[] {
  const { dist, root } = projectDirs();
  return [
    { source: dist, target: `${PODNET_DIR}/dist` },
    { source: realpathSync(join(root, 'node_modules')), target: `${PODNET_DIR}/node_modules` },
    { source: join(root, 'package.json'), target: `${PODNET_DIR}/package.json` },
  ];
}

function imageSpec(name: RootfsImageName): { config: ImageConfig; mounts: ImageManifest['mounts'] } {
  const env = [`PATH=${IMAGE_PATH}`];
  switch (name) {
    case 'busybox': return { config: { env, cmd: ['sh'] }, mounts: [] };
    case 'podnet/shell': return { config: { env, cmd: ['sleep', 'infinity'] }, mounts: [] };
    case 'podnet/kubectl': return { config: { env, entrypoint: ['kubectl'] }, mounts: [] };
    case 'podnet/echo': case 'podnet/mysql':
      return { config: { env, entrypoint: ['/usr/bin/node', `${PODNET_DIR}/dist/src/cli/main.js`, 'image-run', name.slice('podnet/'.length)], workingDir: '/' }, mounts: ['podnet'] };
  }
}

/** sha256 over a canonical listing of the tree; also its size. */
export function treeDigest(root: string): { digest: string; size: number } {
  const h = createHash('sha256');
  let size = 0;
  const walk = (rel: string): void => {
    const p = join(root, rel);
    const st = lstatSync(p);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) h.update(`L ${rel} ${readlinkSync(p)}\n`);
    else if (st.isDirectory()) {
      h.update(`D ${rel} ${mode}\n`);
      for (const e of readdirSync(p).sort()) walk(rel ? `${rel}/${e}` : e);
    } else if (st.isFile()) {
      const data = readFileSync(p);
      size += data.length;
      h.update(`F ${rel} ${mode} ${createHash('sha256').update(data).digest('hex')}\n`);
    }
  };
  walk('');
  return { digest: h.digest('hex'), size };
}

function nameFile(imagesDir: string, name: string): string { return join(imagesDir, 'names', name.replace(/\//g, '_')); }

/** The stored manifest a name points at; undefined when not built yet. */
export function storedImage(imagesDir: string, name: RootfsImageName): ImageManifest | undefined {
  try {
    const digest = readFileSync(nameFile(imagesDir, name), 'utf8').trim();
    const m = JSON.parse(readFileSync(join(imagesDir, 'sha256', digest, 'manifest.json'), 'utf8')) as ImageManifest;
    return existsSync(imageRootfs(imagesDir, m.layer)) ? m : undefined;
  } catch { return undefined; }
}

/** The rootfs dir of a stored layer (`sha256:<hex>` or hex). */
export function imageRootfs(imagesDir: string, layer: string): string { return join(imagesDir, 'layers', layer.replace(/^sha256:/, ''), 'rootfs'); }

/** Builds one image (unless `force` is false and it is stored with the same spec); returns its manifest. */
export function buildImage(imagesDir: string, name: RootfsImageName, o: { force?: boolean } = {}): ImageManifest {
  const spec = imageSpec(name);
  const have = storedImage(imagesDir, name);
  if (have && !o.force && have.builder === BUILDER && JSON.stringify({ c: have.config, m: have.mounts }) === JSON.stringify({ c: spec.config, m: spec.mounts })) return have;
  for (const d of ['sha256', 'names', 'layers']) mkdirSync(join(imagesDir, d), { recursive: true });
  const tmp = join(imagesDir, `tmp-${randomBytes(6).toString('hex')}`);
  const root = join(tmp, 'rootfs');
  try {
    mkdirSync(root, { recursive: true });
    buildBase(root);
    if (name === 'podnet/echo' || name === 'podnet/mysql') buildNode(root);
    if (name === 'podnet/kubectl') copyHostFile(root, kubectlSource(), '/usr/local/bin/kubectl');
    const { digest: layer, size } = treeDigest(root);
    const digest = createHash('sha256').update(JSON.stringify({ config: spec.config, mounts: spec.mounts, layer: `sha256:${layer}` })).digest('hex');
    const m: ImageManifest = { name, digest: `sha256:${digest}`, layer: `sha256:${layer}`, config: spec.config, mounts: spec.mounts, builder: BUILDER, size, created: new Date().toISOString() };
    // the layer (stored once), then the image's manifest
    const layerDir = join(imagesDir, 'layers', layer);
    if (!existsSync(join(layerDir, 'rootfs'))) {
      mkdirSync(join(tmp, 'layer'));
      renameSync(root, join(tmp, 'layer', 'rootfs'));
      try { renameSync(join(tmp, 'layer'), layerDir); } catch (e) { if (!existsSync(join(layerDir, 'rootfs'))) throw e; }
    }
    const dest = join(imagesDir, 'sha256', digest);
    mkdirSync(dest, { recursive: true });
    writeFileSync(join(dest, 'manifest.json.tmp'), JSON.stringify(m, null, 1));
    renameSync(join(dest, 'manifest.json.tmp'), join(dest, 'manifest.json'));
    const nf = nameFile(imagesDir, name);
    const nt = `${nf}.tmp-${randomBytes(4).toString('hex')}`;
    writeFileSync(nt, digest);
    renameSync(nt, nf);
    return m;
  } catch (e) {
    throw e instanceof ImageBuildError ? e : new ImageBuildError(`building image ${name} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds every built-in image (idempotent). */
export function buildAllImages(imagesDir = defaultImagesDir(), o: { force?: boolean } = {}): ImageManifest[] {
  return IMAGE_NAMES.map((n) => buildImage(imagesDir, n, o));
}
