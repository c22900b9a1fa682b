/**
 * Writes a JSON list whose items are already encoded (Registry.listJson): the envelope and the
 * item bytes go out in batches with the socket's backpressure honoured, never joined into one
 * string (a list of 50,000 pods is ~35 MB; one string of it plus its UTF-8 copy doubled the
 * server's peak memory and blocked the event loop while encoding).
 */
import type { ServerResponse } from 'node:http';

/** Bytes handed to the socket per write. */
const BATCH_BYTES = 256 * 1024;

export async function sendJsonList(res: ServerResponse, envelope: { kind: string; apiVersion: string; metadata: object }, items: readonly Buffer[]): Promise<void> {
  const head = Buffer.from(`${JSON.stringify(envelope).slice(0, -1)},"items":[`);
  const tail = Buffer.from(']}');
  const comma = Buffer.from(',');
  let length = head.length + tail.length + Math.max(0, items.length - 1);
  for (const b of items) length += b.length;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': length, 'cache-control': 'no-cache, private' });
  let batch: Buffer[] = [head];
  let size = head.length;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) { batch.push(comma); size++; }
    batch.push(items[i]!);
    size += items[i]!.length;
    if (size >= BATCH_BYTES) {
      const ok = res.write(Buffer.concat(batch, size));
      batch = []; size = 0;
      if (!ok && !(await drained(res))) return;
    }
  }
  batch.push(tail);
  res.end(Buffer.concat(batch));
}

/** Resolves true on 'drain', false when the response closed first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (v: boolean): void => { res.off('drain', onDrain); res.off('close', onClose); resolve(v); };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
