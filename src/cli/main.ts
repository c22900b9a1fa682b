import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

const program = new Command();
program
  .name('podnet')
  .description('podnet: Kubernetes networking on the real Linux kernel — API server, node agent, CNI, overlay, proxy, DNS and a namespace lab')
  .version('0.1.0')
  .showHelpAfterError();
await registerCommands(program, process.argv);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`podnet: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}\n`);
  process.exit(1);
});
