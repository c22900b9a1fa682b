/**
 * Kubernetes protobuf bodies through the pinned generated.proto (protobufjs + the Go-conventions
 * layer): decode and encode cost per object, against the JSON form of the same object (JSON.parse /
 * JSON.stringify, the path a JSON body takes) measured in the same run, plus the one-time schema
 * load. Bodies: kubectl 1.33's `create deployment` (test/fixtures/protobuf/kubectl/) and upstream's
 * fully populated Pod fixture (test/fixtures/protobuf/upstream/). With `--previous <module>` the
 * decoder of an earlier build (e.g. main's dist/src/api/server/protobuf.js, the hand-written field
 * table) decodes the kubectl body too. Not a test.
 *
 *   node dist/bench/protobuf.bench.js [--iterations 5000] [--previous path/to/protobuf.js]
 * Writes bench/results/protobuf.json.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { decodeProtobufObject, encodeProtobufObject } from '../src/api/protobuf/envelope.js';
import { kubernetesProto } from '../src/api/protobuf/schema.js';
import { round, writeResult } from './stats.js';

const args = process.argv.slice(2);
const argOf = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const N = Number(argOf('iterations') ?? 5000);
const previous = argOf('previous');

const FIX = fileURLToPath(new URL('../../test/fixtures/protobuf/', import.meta.url));

/** Median µs per call over 5 rounds of N calls. */
function perCall(fn: () => unknown): number {
  for (let i = 0; i < Math.min(N, 500); i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) fn();
    rounds.push(((performance.now() - t) * 1000) / N);
  }
  rounds.sort((a, b) => a - b);
  return round(rounds[2]!, 2);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  kubernetesProto();
  const schemaLoadMs = round(performance.now() - t0, 1);
  type Decode = (b: Buffer) => unknown;
  const prev = previous ? ((await import(previous)) as { decodeProtobufObject: Decode }).decodeProtobufObject : undefined;

  const bodies = {
    'kubectl create deployment': readFileSync(`${FIX}kubectl/deployment.pb`),
    'upstream core.v1.Pod (every field)': readFileSync(`${FIX}upstream/core.v1.Pod.pb`),
  };
  const rows: Record<string, unknown>[] = [];
  for (const [name, pb] of Object.entries(bodies)) {
    const obj = decodeProtobufObject(pb);
    const json = JSON.stringify(obj);
    const row: Record<string, unknown> = {
      body: name, protobufBytes: pb.length, jsonBytes: Buffer.byteLength(json),
      decodeUs: perCall(() => decodeProtobufObject(pb)),
      jsonParseUs: perCall(() => JSON.parse(json)),
      encodeUs: perCall(() => encodeProtobufObject(obj)),
      jsonStringifyUs: perCall(() => JSON.stringify(obj)),
    };
    row.decodeVsJsonParse = round((row.decodeUs as number) / (row.jsonParseUs as number), 2);
    row.encodeVsJsonStringify = round((row.encodeUs as number) / (row.jsonStringifyUs as number), 2);
    if (prev) {
      try {
        prev(pb);
        row.previousDecodeUs = perCall(() => prev(pb));
        row.decodeVsPrevious = round((row.decodeUs as number) / (row.previousDecodeUs as number), 2);
      } catch (e) {
        row.previousDecode = `refused: ${(e as Error).message.slice(0, 120)}`;
      }
    }
    rows.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  writeResult('protobuf', { when: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), iterations: N, schemaLoadMs, previous: previous ?? null, rows });
  process.stdout.write(`schema load ${schemaLoadMs} ms\n`);
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack}\n`); process.exitCode = 1; });
