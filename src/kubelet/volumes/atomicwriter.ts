/**
 * Writes a volume's files the way the kubelet's atomic writer does, so a reader (the container,
 * through a bind mount of the dir) never sees half an update: the payload goes into a fresh
 * `..<timestamp>` dir, the `..data` symlink is swapped to it with a rename, and each top-level
 * entry is a symlink through `..data` (`token -> ..data/token`). Old payload dirs are removed.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { PodnetError } from '../../util/errors.js';

export class VolumeError extends PodnetError {
  constructor(message: string, options?: { cause?: unknown }) { super('EVOLUME', message, options); }
}

export interface PayloadFile { data: Buffer; mode: number }
export type Payload = Map<string, PayloadFile>;

/** A payload path must be relative, without `..` elements (as upstream validates items' paths). */
export function checkPayloadPath(p: string): void {
  if (!p || p.startsWith('/') || p.split('/').includes('..') || normalize(p) !== p || p.startsWith('..')) throw new VolumeError(`invalid path ${JSON.stringify(p)}: must be relative and may not contain '..'`);
}

/** True when dir already holds exactly this payload (no rewrite, no churn). */
function samePayload(dir: string, payload: Payload): boolean {
  const data = join(dir, '..data');
  if (!existsSync(data)) return false;
  for (const [p, f] of payload) {
    try {
      const st = lstatSync(join(data, p));
      if ((st.mode & 0o777) !== (f.mode & 0o777) || !readFileSync(join(data, p)).equals(f.data)) return false;
    } catch { return false; }
  }
  const tops = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  return readdirSync(dir).filter((e) => !e.startsWith('..')).every((e) => tops.has(e));
}

/** Makes dir hold exactly payload; returns false when it already did. */
export function writePayload(dir: string, payload: Payload): boolean {
  for (const p of payload.keys()) checkPayloadPath(p);
  mkdirSync(dir, { recursive: true });
  if (samePayload(dir, payload)) return false;
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.hrtime.bigint() % 1000000n}`;
  const ts = join(dir, stamp);
  mkdirSync(ts, { mode: 0o755 });
  for (const [p, f] of payload) {
    mkdirSync(dirname(join(ts, p)), { recursive: true });
    writeFileSync(join(ts, p), f.data, { mode: f.mode & 0o777 });
    chmodSync(join(ts, p), f.mode & 0o777);
  }
  let old: string | undefined;
  try { old = readlinkSync(join(dir, '..data')); } catch { /* first write */ }
  symlinkSync(stamp, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  const tops = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  for (const t of tops) if (!existsSync(join(dir, t))) symlinkSync(join('..data', t), join(dir, t));
  for (const e of readdirSync(dir)) {
    if (e.startsWith('..')) continue;
    if (!tops.has(e)) rmSync(join(dir, e), { recursive: true, force: true });
  }
  if (old && old !== stamp) rmSync(join(dir, old), { recursive: true, force: true });
  return true;
}
