/**
 * The etcd3 client library, loaded on first use. Importing it (and gRPC under it) costs ~0.3 s,
 * which every `podnet` command paid at start because the CLI wires all commands; only the etcd
 * storage backend and the etcd subnet manager need it.
 */
import { createRequire } from 'node:module';

type Etcd3Module = typeof import('etcd3');

const requireCjs = createRequire(import.meta.url);
let loaded: Etcd3Module | undefined;

export function etcd3(): Etcd3Module {
  loaded ??= requireCjs('etcd3') as Etcd3Module;
  return loaded;
}
