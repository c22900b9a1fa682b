import type { Command } from 'commander';

/** Registers `podnet kubeconfig`: prints a kubeconfig for the API server of a data dir. */
export function register(program: Command): void {
  program.command('kubeconfig')
    .description('print a kubeconfig for an API server data dir (admin, or a new client certificate for --user); says on stderr when its certificate expires')
    .option('--data-dir <dir>', 'the API server data dir', '/var/lib/podnet/apiserver')
    .option('--user <name>', 'issue a client certificate with this CN (e.g. system:node:k8s-node1)')
    .option('--group <group>', 'certificate organisation / group (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--server <url>', 'server URL (default: the one in the data dir\'s admin kubeconfig); unix:///path for a socket')
    .action(async (o: { dataDir: string; user?: string; group: string[]; server?: string }) => {
      const { kubeconfigFor, expiryNote } = await import('../../api/kubeconfig.js');
      const k = kubeconfigFor({ dataDir: o.dataDir, user: o.user, groups: o.group, server: o.server });
      process.stdout.write(k.text);
      process.stderr.write(`${expiryNote(k)}\n`);
    });
}
