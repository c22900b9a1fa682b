import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PodnetError } from '../../util/errors.js';

/** Registers `podnet kubeconfig`: prints a kubeconfig for the API server of a data dir. */
export function register(program: Command): void {
  program.command('kubeconfig')
    .description('print a kubeconfig for an API server data dir (admin, or a new client certificate for --user)')
    .option('--data-dir <dir>', 'the API server data dir', '/var/lib/podnet/apiserver')
    .option('--user <name>', 'issue a client certificate with this CN (e.g. system:node:k8s-node1)')
    .option('--group <group>', 'certificate organisation / group (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--server <url>', 'server URL (default: the one in the data dir\'s admin kubeconfig); unix:///path for a socket')
    .action(async (o: { dataDir: string; user?: string; group: string[]; server?: string }) => {
      const { ensurePki, issueClientCert, renderKubeconfig } = await import('../../api/pki.js');
      let server = o.server;
      if (!server) {
        try {
          const kc = parse(readFileSync(join(o.dataDir, 'admin.kubeconfig'), 'utf8')) as { clusters?: { cluster?: { server?: string } }[] };
          server = kc.clusters?.[0]?.cluster?.server;
        } catch { /* not started yet */ }
      }
      if (!server) throw new PodnetError('ENOSERVER', `no server URL: start the apiserver with --data-dir ${o.dataDir} first, or pass --server`);
      const pki = ensurePki(o.dataDir);
      const pair = o.user ? issueClientCert(o.dataDir, o.user, o.group) : pki.admin;
      process.stdout.write(renderKubeconfig({ server, ca: pki.ca.cert, cert: pair.cert, key: pair.key, user: o.user ?? 'admin' }));
    });
}
