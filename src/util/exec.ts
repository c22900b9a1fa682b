import { spawn } from 'node:child_process';
import { CommandError } from './errors.js';

export interface ExecResult { stdout: string; stderr: string; code: number }
export interface ExecOptions { input?: string | Buffer; env?: NodeJS.ProcessEnv; allowFail?: boolean; timeoutMs?: number; cwd?: string }

/** Runs argv (no shell), feeding `input` on stdin. Throws CommandError on non-zero exit unless allowFail. */
export function exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CommandError(argv, null, e.message)));
    child.on('close', (code) => {
      const res = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code: code ?? -1 };
      if (res.code !== 0 && !opts.allowFail) reject(new CommandError(argv, res.code, res.stderr || res.stdout));
      else resolve(res);
    });
    child.stdin.on('error', () => { /* child may exit before reading stdin */ });
    child.stdin.end(opts.input ?? '');
  });
}
