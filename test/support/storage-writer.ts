/**
 * Durability helper: opens a store and creates keys `<prefix><n>` as fast as it can with a few
 * writes in flight, printing `ack <key> <revision>` on stdout (a pipe: written synchronously) as
 * soon as each write is acknowledged. Runs until killed or `count` keys are written.
 * usage: node storage-writer.js SPEC DATA_DIR PREFIX COUNT
 */
import { createStore } from '../../src/api/storage/index.js';

const [spec, dataDir, prefix, countArg] = process.argv.slice(2);
if (!spec || dataDir === undefined || !prefix || !countArg) {
  process.stderr.write('usage: storage-writer SPEC DATA_DIR PREFIX COUNT\n');
  process.exit(2);
}
const count = Number(countArg);
const store = await createStore(spec, dataDir, { compactIntervalMs: 0 });
let next = 0;
process.stdout.write('ready\n');
async function worker(): Promise<void> {
  while (next < count) {
    const key = `${prefix}${String(next++).padStart(6, '0')}`;
    const rev = await store.create(key, Buffer.from(`value of ${key}`));
    process.stdout.write(`ack ${key} ${rev}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
await store.close();
process.stdout.write('done\n');
