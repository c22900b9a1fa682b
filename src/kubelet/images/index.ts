/** The images built into podnet (nothing is pulled) and how a container's argv is derived from them. */
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';

const BUILTIN_IMAGES = ['podnet/echo', 'podnet/mysql', 'podnet/shell', 'podnet/host'] as const;
export type BuiltinImage = typeof BUILTIN_IMAGES[number];

export const BUSYBOX = '/bin/busybox';

/** `podnet/echo`, `podnet/echo:1.0`, `docker.io/podnet/echo@sha256:…` → 'podnet/echo'; else undefined. */
export function builtinImage(image: string): BuiltinImage | undefined {
  let s = image.trim();
  s = s.replace(/@sha256:[0-9a-f]+$/i, '');
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  s = s.replace(/^(docker\.io|registry-1\.docker\.io)\//, '');
  return (BUILTIN_IMAGES as readonly string[]).includes(s) ? (s as BuiltinImage) : undefined;
}

function notBuiltInMessage(image: string): string {
  return `image "${image}" is not built into podnet (${BUILTIN_IMAGES.join(', ')})`;
}

/** Path of the podnet CLI entry (dist/src/cli/main.js), for the built-in servers (`podnet image-run NAME`). */
function podnetMain(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');
}

export type ImageResolution = { ok: true; argv: string[] } | { ok: false; reason: 'ErrImagePull' | 'InvalidImageName'; message: string };

/**
 * The argv a container runs, following Kubernetes' command/args vs ENTRYPOINT/CMD rules for the
 * built-in images: echo/mysql run podnet's own servers (command overrides them), shell runs
 * busybox applets, host runs command+args from the host filesystem. Default for shell/host: sleep.
 */
export function resolveImage(image: string, command: string[] | undefined, args: string[] | undefined, nodeBin = process.execPath): ImageResolution {
  if (!image) return { ok: false, reason: 'InvalidImageName', message: 'container image is empty' };
  const b = builtinImage(image);
  if (!b) return { ok: false, reason: 'ErrImagePull', message: notBuiltInMessage(image) };
  const cmd = command ?? [];
  const arg = args ?? [];
  switch (b) {
    case 'podnet/echo':
    case 'podnet/mysql': {
      if (cmd.length) return { ok: true, argv: [...cmd, ...arg] };
      return { ok: true, argv: [nodeBin, podnetMain(), 'image-run', b.slice('podnet/'.length), ...arg] };
    }
    case 'podnet/shell': {
      const line = cmd.length ? [...cmd, ...arg] : arg.length ? arg : ['sleep', 'infinity'];
      const first = line[0]!;
      const applet = first.includes('/') ? basename(first) : first;
      return { ok: true, argv: [BUSYBOX, applet === 'busybox' ? line[1] ?? 'sh' : applet, ...line.slice(applet === 'busybox' ? 2 : 1)] };
    }
    case 'podnet/host': {
      const line = cmd.length ? [...cmd, ...arg] : arg.length ? arg : ['sleep', 'infinity'];
      return { ok: true, argv: line };
    }
  }
}
