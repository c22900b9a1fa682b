/**
 * A long-lived libnftables context (libnftables.so.1, Debian package libnftables1) reached through
 * koffi: the same parser and evaluator as the `nft` binary, without a process start per
 * transaction and, above all, with nft's object cache kept between transactions.
 *
 * Why: nft 1.0.6 loads every chain of every table before it evaluates an `add rule`, `add element`
 * or `delete` command (its cache flags for those commands include all chains). With a kube-proxy
 * table of 10,000 services that is ~30,000 chains dumped and parsed per transaction, the bulk of a
 * one-service change. libnftables keeps its cache in the context and reuses it while the kernel's
 * ruleset generation id is the one the cache was loaded at. Our own commit bumps that id, so right
 * after each commit we run a no-op (`add table` of a table that exists: no transaction reaches the
 * kernel, the generation stays) which reloads the cache off the sync path. The next transaction then
 * only pays the generation check, the parse and the commit. A change by anyone else bumps the
 * generation and nft reloads by itself, so the cache is never trusted when stale.
 *
 * Calls run on koffi's worker thread (`.async`), one at a time per context; the netlink socket is
 * opened by nft_ctx_new in this process's network namespace, so a session exists only for SELF (or
 * a path naming the namespace we already run in).
 */
import { statSync } from 'node:fs';
import koffi from 'koffi';
import { PodnetError } from '../util/errors.js';
import { assertNotHost, SELF, type NetnsPath } from './exec.js';

export class NftLibError extends PodnetError {
  constructor(readonly script: string, detail: string) {
    super('ENFTLIB', `libnftables: ${detail.trim() || 'transaction failed'}`);
  }
}

type Fn = ReturnType<ReturnType<typeof koffi.load>['func']>;
interface Lib { ctxNew: Fn; ctxFree: Fn; run: Fn; bufferOutput: Fn; bufferError: Fn; errorBuffer: Fn; outputBuffer: Fn }
let lib: Lib | null | undefined;

function load(): Lib | null {
  if (lib !== undefined) return lib;
  try {
    const l = koffi.load('libnftables.so.1');
    lib = {
      ctxNew: l.func('void *nft_ctx_new(uint32_t flags)'),
      ctxFree: l.func('void nft_ctx_free(void *ctx)'),
      run: l.func('int nft_run_cmd_from_buffer(void *ctx, const char *buf)'),
      bufferOutput: l.func('int nft_ctx_buffer_output(void *ctx)'),
      bufferError: l.func('int nft_ctx_buffer_error(void *ctx)'),
      errorBuffer: l.func('const char *nft_ctx_get_error_buffer(void *ctx)'),
      outputBuffer: l.func('const char *nft_ctx_get_output_buffer(void *ctx)'),
    };
  } catch { lib = null; }
  return lib;
}

/** True when ns is the namespace this process runs in (SELF, or a path with our namespace's inode). */
function isOwnNetns(ns: NetnsPath): boolean {
  if (ns === SELF) return true;
  try {
    const a = statSync(ns), b = statSync('/proc/self/ns/net');
    return a.ino === b.ino && a.dev === b.dev;
  } catch { return false; }
}

export class NftSession {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private constructor(private readonly l: Lib, private readonly ctx: unknown) {}

  /** A session for ns, or null when libnftables cannot be loaded or ns is not our own namespace. */
  static open(ns: NetnsPath): NftSession | null {
    assertNotHost(ns, 'open a libnftables context');
    if (process.env.PODNET_NFT_NO_LIB === '1' || !isOwnNetns(ns)) return null;
    const l = load();
    if (!l) return null;
    const ctx = l.ctxNew(0) as unknown;
    if (!ctx) return null;
    l.bufferOutput(ctx); l.bufferError(ctx);
    return new NftSession(l, ctx);
  }

  /** Runs one script as one transaction (all or nothing), like `nft -f -`; resolves to nft's output. */
  run(script: string): Promise<string> {
    const p = this.chain.then(() => this.call(script));
    this.chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Loads nft's cache now (off the sync path) with a command that reaches no kernel object: `add
   * table` of an existing table without a body is no change, so the generation id stays and the next
   * run reuses the cache. Errors are ignored (the next run simply reloads).
   */
  warm(family: string, table: string): Promise<void> {
    const p = this.chain.then(() => this.call(`add table ${family} ${table} { }\n`)).then(() => undefined, () => undefined);
    this.chain = p;
    return p;
  }

  /** Resolves when every queued call (a warm-up included) has finished. */
  async idle(): Promise<void> { await this.chain.catch(() => undefined); }

  close(): Promise<void> {
    const p = this.chain.then(() => { if (!this.closed) { this.closed = true; this.l.ctxFree(this.ctx); } });
    this.chain = p;
    return p;
  }

  private call(script: string): Promise<string> {
    if (this.closed) return Promise.reject(new NftLibError(script, 'session closed'));
    return new Promise((resolve, reject) => {
      this.l.run.async(this.ctx, script, (err: unknown, rc: number) => {
        // the buffers are read on this thread after the call returned; the next call waits for us
        const out = this.l.outputBuffer(this.ctx) as string | null;
        const errText = this.l.errorBuffer(this.ctx) as string | null;
        if (err) reject(err as Error);
        else if (rc !== 0) reject(new NftLibError(script, errText ?? ''));
        else resolve(out ?? '');
      });
    });
  }
}
