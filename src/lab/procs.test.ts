import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { killNow, LAB_DIR_ENV, markedLabProcesses, processesWithEnv } from './procs.js';
import { procStartTime } from '../net/proc.js';

test('killNow: a detached leader is gone when it resolves, its whole process group right after, without a grace period', async () => {
  // a session leader (as spawnDetached starts daemons) with a child in its group that ignores SIGTERM
  const leader = spawn('sh', ['-c', 'trap "" TERM; sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  const pid = leader.pid!;
  let child: number | undefined;
  for (let i = 0; i < 200 && !child; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
    child = out ? Number(out.split(/\s+/)[0]) : undefined;
  }
  assert.ok(child, 'the child started');
  const t0 = Date.now();
  await killNow([], [pid]);
  assert.ok(Date.now() - t0 < 2000, 'no grace period waited out');
  assert.equal(procStartTime(pid), undefined, 'leader gone (or a zombie)');
  // the rest of the group got its SIGKILL at the same time: gone a moment later
  for (let i = 0; i < 100 && procStartTime(child!) !== undefined; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(procStartTime(child!), undefined, 'its group member gone too');
});

test('processesWithEnv / markedLabProcesses: find a process by its lab mark, never the whole host netns', async () => {
  const mark = `/tmp/podnet-mark-${process.pid}-${Date.now()}`;
  const child = spawn('sleep', ['30'], { env: { ...process.env, [LAB_DIR_ENV]: mark }, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processesWithEnv(`${LAB_DIR_ENV}=${mark}`), [child.pid]);
    assert.deepEqual(processesWithEnv(`${LAB_DIR_ENV}=${mark}x`), []);
    // the child shares this process's netns: only it, not every process of that namespace
    assert.deepEqual(markedLabProcesses(mark), [child.pid]);
  } finally { child.kill('SIGKILL'); }
});
