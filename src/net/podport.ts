/**
 * Connections to a pod's localhost ports for port-forward. The kubelet runs in the node's network
 * namespace; a relay (podport-relay.ts) started in the pod's namespace (nsenter --net into the
 * pod's sandbox process) accepts on a unix socket and connects to 127.0.0.1:PORT there. One relay
 * per port-forward session, reused for every connection of that session, stopped with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PodnetError } from '../util/errors.js';

const RELAY = fileURLToPath(new URL('./podport-relay.js', import.meta.url));

/** A port-forward connection could not be made (relay down, nothing listening…). */
export class PodPortError extends PodnetError {
  constructor(message: string) { super('EPODPORT', message); }
}

export class PodPortDialer {
  private constructor(private readonly proc: ChildProcess, readonly socketPath: string) {}

  /** Starts a relay in the network namespace of process `pid`, its socket under `dir`. */
  static open(pid: number, dir: string): Promise<PodPortDialer> {
    const socketPath = join(dir, `pf-${randomBytes(6).toString('hex')}.sock`);
    const proc = spawn('nsenter', ['-t', String(pid), '--net', '--', process.execPath, RELAY, socketPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let err = '';
      proc.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
      proc.stdout!.once('data', () => resolve(new PodPortDialer(proc, socketPath)));
      proc.once('exit', (code) => reject(new PodPortError(`port-forward relay in the pod's network namespace exited ${code}: ${err.trim()}`)));
      proc.once('error', (e) => reject(new PodPortError(e.message)));
    });
  }

  /** A socket connected to localhost:port inside the pod (half-close supported). */
  dial(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ path: this.socketPath, allowHalfOpen: true });
      const hdr = Buffer.alloc(2);
      hdr.writeUInt16BE(port);
      s.write(hdr);
      let got = Buffer.alloc(0);
      const onData = (b: Buffer): void => {
        got = Buffer.concat([got, b]);
        if (got[0] === 0) {
          s.off('data', onData); s.off('end', onEnd); s.off('error', onError);
          s.pause();
          if (got.length > 1) s.unshift(got.subarray(1));
          resolve(s);
        }
      };
      const onEnd = (): void => { reject(new PodPortError(got.subarray(1).toString() || 'relay closed the connection')); s.destroy(); };
      const onError = (e: Error): void => reject(new PodPortError(e.message));
      s.on('data', onData);
      s.once('end', onEnd);
      s.once('error', onError);
    });
  }

  close(): void {
    this.proc.stdin?.end();
    this.proc.kill('SIGTERM');
    try { unlinkSync(this.socketPath); } catch { /* gone */ }
  }
}
