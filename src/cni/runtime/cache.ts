import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** libcni's result cache entry (`<cacheDir>/results/<network>-<containerID>-<ifname>`). */
export interface CacheEntry {
  kind: 'cniCacheV1';
  containerId: string;
  /** base64 of the network config list bytes used for ADD */
  config: string;
  ifName: string;
  networkName: string;
  cniArgs?: [string, string][];
  capabilityArgs?: Record<string, unknown>;
  result?: unknown;
}

export class ResultCache {
  constructor(readonly cacheDir: string) {}
  private dir(): string { return join(this.cacheDir, 'results'); }
  path(network: string, containerId: string, ifName: string): string { return join(this.dir(), `${network}-${containerId}-${ifName}`); }

  write(e: CacheEntry): void {
    mkdirSync(this.dir(), { recursive: true, mode: 0o700 });
    const p = this.path(e.networkName, e.containerId, e.ifName);
    writeFileSync(p + '.tmp', JSON.stringify(e), { mode: 0o600 });
    renameSync(p + '.tmp', p);
  }
  read(network: string, containerId: string, ifName: string): CacheEntry | undefined {
    let text: string;
    try { text = readFileSync(this.path(network, containerId, ifName), 'utf8'); } catch { return undefined; }
    const e = JSON.parse(text) as CacheEntry;
    return e.kind === 'cniCacheV1' ? e : undefined;
  }
  remove(network: string, containerId: string, ifName: string): void {
    try { unlinkSync(this.path(network, containerId, ifName)); } catch { /* gone */ }
  }
  /** Every cached attachment of one network. */
  list(network: string): CacheEntry[] {
    let files: string[];
    try { files = readdirSync(this.dir()); } catch { return []; }
    const out: CacheEntry[] = [];
    for (const f of files) {
      if (!f.startsWith(`${network}-`) || f.endsWith('.tmp')) continue;
      try {
        const e = JSON.parse(readFileSync(join(this.dir(), f), 'utf8')) as CacheEntry;
        if (e.kind === 'cniCacheV1' && e.networkName === network) out.push(e);
      } catch { /* skip unreadable */ }
    }
    return out;
  }
}
