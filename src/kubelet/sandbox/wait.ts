import { SandboxError } from './types.js';

/** Polls fn every 10 ms until it returns a value; SandboxError after timeoutMs. */
export async function waitFor<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new SandboxError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
