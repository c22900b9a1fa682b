import type { Logger } from '../../util/log.js';

/**
 * kube-apiserver-style periodic compaction: every interval, compact to the revision seen one
 * interval earlier (so history covers at least one interval), never dropping the newest
 * `minRetain` revisions (kine's retention). Returns a stop function.
 */
export function startAutoCompaction(
  target: { currentRevision(): Promise<number>; compact(rev: number): Promise<void> },
  intervalMs: number,
  minRetain: number,
  log: Logger,
): () => void {
  if (intervalMs <= 0) return () => {};
  let previous = 0;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        const now = await target.currentRevision();
        const to = Math.min(previous, now - minRetain);
        if (to > 0) {
          await target.compact(to);
          log.debug({ revision: to }, 'compacted');
        }
        previous = now;
      } catch (err) {
        log.warn({ err }, 'automatic compaction failed');
      } finally {
        running = false;
      }
    })();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
