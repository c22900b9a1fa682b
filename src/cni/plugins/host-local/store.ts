import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** upstream's separator between container ID and interface name inside an allocation file */
const LINE_BREAK = '\r\n';
const LAST_RESERVED = 'last_reserved_ip.';

/**
 * host-local's on-disk store, byte-compatible with the reference plugin:
 * `<dataDir>/<network>/<ip>` holding `<containerID>\r\n<ifname>`, `last_reserved_ip.<rangeset>`
 * holding the last IP handed out, and `lock` (flock'ed around every change).
 */
export class DiskStore {
  readonly dir: string;
  constructor(dataDir: string, network: string) {
    if (!network || /[/\\]/.test(network) || network === '.' || network === '..') throw new Error(`invalid network name "${network}"`);
    this.dir = join(dataDir, network);
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
  }
  get lockPath(): string { return join(this.dir, 'lock'); }

  /** Creates the allocation file; false when the IP is already taken. */
  reserve(id: string, ifName: string, ip: string, rangeSet: number): boolean {
    let fd: number;
    try { fd = openSync(join(this.dir, ip), 'wx', 0o644); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try { writeSync(fd, `${id}${LINE_BREAK}${ifName}`); } finally { closeSync(fd); }
    writeFileSync(join(this.dir, LAST_RESERVED + rangeSet), ip);
    return true;
  }
  lastReserved(rangeSet: number): string | undefined {
    try { return readFileSync(join(this.dir, LAST_RESERVED + rangeSet), 'utf8').trim(); } catch { return undefined; }
  }
  isReserved(ip: string): boolean {
    try { readFileSync(join(this.dir, ip)); return true; } catch { return false; }
  }
  /** Every allocation file: ip → {id, ifName}. */
  entries(): { ip: string; id: string; ifName: string }[] {
    const out: { ip: string; id: string; ifName: string }[] = [];
    for (const f of readdirSync(this.dir)) {
      if (f === 'lock' || f.startsWith(LAST_RESERVED) || f.startsWith('.')) continue;
      let text: string;
      try { text = readFileSync(join(this.dir, f), 'utf8'); } catch { continue; }
      const [id, ifName] = text.trim().split(LINE_BREAK);
      out.push({ ip: f, id: (id ?? '').trim(), ifName: (ifName ?? '').trim() });
    }
    return out;
  }
  /** IPs held by this attachment (legacy files holding only the ID match any interface). */
  byId(id: string, ifName: string): string[] {
    return this.entries().filter((e) => e.id === id && (e.ifName === ifName || e.ifName === '')).map((e) => e.ip);
  }
  release(ip: string): void {
    try { unlinkSync(join(this.dir, ip)); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
  }
  releaseById(id: string, ifName: string): string[] {
    const ips = this.byId(id, ifName);
    for (const ip of ips) this.release(ip);
    return ips;
  }
}
