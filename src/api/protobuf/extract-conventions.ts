/**
 * Derives the Go conventions the pinned generated.proto files cannot express (which struct fields
 * are pointers, embedded `json:",inline"`, named differently in JSON, or always written to JSON)
 * from the struct tags of the same upstream release's Go types, and writes them as
 * third_party/kubernetes-proto/go-conventions.json. A maintenance tool, run when the pinned
 * release changes (see third_party/kubernetes-proto/README.md):
 *
 *   node dist/src/api/protobuf/extract-conventions.js OUT.json <protoPackage>=<dir with types*.go> …
 *
 * The proto package of each directory is given on the command line (e.g.
 * k8s.io.api.core.v1=/tmp/api/core/v1). Only Go structs with protobuf tags are recorded.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldConvention, GoConventions, MessageConvention } from './conventions.js';

const FIELD = /^\s*(\w+)\s+(\S+)\s+`([^`]*)`/;
const EMBEDDED = /^\s*(\*?[\w.]+)\s+`([^`]*)`/;

const tagValue = (tags: string, key: string): string | undefined => new RegExp(`${key}:"([^"]*)"`).exec(tags)?.[1];

/** One Go source file's structs → conventions of the messages they generate. */
export function conventionsOfGo(src: string): Record<string, MessageConvention> {
  const out: Record<string, MessageConvention> = {};
  const lines = src.split('\n');
  let current: string | undefined;
  let fields: Record<string, FieldConvention> = {};
  for (const line of lines) {
    if (current === undefined) {
      const slice = /^type (\w+) \[\](\w+)\s*$/.exec(line);
      if (slice) { out[slice[1]!] = { slice: true }; continue; }
      const m = /^type (\w+) struct \{\s*$/.exec(line);
      if (m) { current = m[1]!; fields = {}; }
      continue;
    }
    if (/^\}/.test(line)) {
      if (Object.keys(fields).length) out[current] = { fields };
      current = undefined;
      continue;
    }
    if (/^\s*\/\//.test(line)) continue;
    let goType: string; let tags: string; let goName: string;
    const f = FIELD.exec(line);
    const e = f ? undefined : EMBEDDED.exec(line);
    if (f) { goName = f[1]!; goType = f[2]!; tags = f[3]!; } else if (e) { goType = e[1]!; goName = goType.replace(/^\*/, '').split('.').pop()!; tags = e[2]!; } else continue;
    const pb = tagValue(tags, 'protobuf');
    if (!pb) continue;
    // without name=, go-to-protobuf names the field after the Go field (lower camel case)
    const protoName = /name=(\w+)/.exec(pb)?.[1] ?? `${goName.charAt(0).toLowerCase()}${goName.slice(1)}`;
    const json = tagValue(tags, 'json') ?? '';
    const [jsonName, ...opts] = json.split(',');
    const conv: FieldConvention = {};
    if (opts.includes('inline')) conv.inline = true;
    else if (jsonName && jsonName !== protoName) conv.json = jsonName;
    if (goType.startsWith('*')) conv.pointer = true;
    const scalar = /^(string|bool|u?int(8|16|32|64)?|float(32|64)|[A-Z]\w*)$/.test(goType);
    if (!opts.includes('omitempty') && !conv.inline && scalar) conv.always = true;
    if (Object.keys(conv).length) fields[protoName] = conv;
  }
  return out;
}

function main(argv: string[]): void {
  const [outFile, ...pairs] = argv;
  if (!outFile || !pairs.length) throw new Error('usage: extract-conventions OUT.json pkg=dir …');
  const result: GoConventions = {};
  for (const pair of pairs) {
    const [pkg, dir] = pair.split('=') as [string, string];
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_generated') || file.endsWith('.pb.go')) continue;
      for (const [name, conv] of Object.entries(conventionsOfGo(readFileSync(join(dir, file), 'utf8')))) result[`${pkg}.${name}`] = conv;
    }
  }
  const sorted = Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(outFile, `${JSON.stringify(sorted, null, 1)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
