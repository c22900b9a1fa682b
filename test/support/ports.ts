/**
 * Local ports for tests that listen on loopback (kubectl port-forward). A random port inside the
 * kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768–60999 here) can be the local end of
 * one of the many client connections a test makes to 127.0.0.1; kubectl then fails to bind
 * 127.0.0.1 but still binds [::1] and keeps running without the line a test waits for. So pick a
 * block below that range and check each port binds on both loopbacks first.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

function ephemeralLow(): number {
  try { return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768; } catch { return 32768; }
}

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT'));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** `count` consecutive ports from 10000 up to the ephemeral range, each free on 127.0.0.1 and ::1. */
export async function freeLoopbackPorts(count: number): Promise<number> {
  const low = 10000;
  const high = Math.min(ephemeralLow(), 65536) - count;
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = low + Math.floor(Math.random() * Math.max(1, high - low));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = (await bindable(p, '127.0.0.1')) && (await bindable(p, '::1'));
    if (free) return base;
  }
  throw new Error(`no block of ${count} free loopback ports below ${high + count}`);
}
