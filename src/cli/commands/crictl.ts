import type { Command } from 'commander';
import { parseOutput } from '../../observe/table.js';

interface Globals { lab?: string; node?: string; stateDir?: string }

/** Registers `podnet crictl ps|pods|inspect|inspectp`: the node's runtime as crictl shows containerd's. */
export function register(program: Command): void {
  const c = program.command('crictl')
    .description('a node\'s pod sandboxes and containers as crictl shows them (ps, pods, inspect, inspectp), from the runtime\'s state')
    .option('--lab <name>', 'lab name', 'lab')
    .option('--node <node>', 'lab node')
    .option('--state-dir <dir>', 'an agent\'s --state-dir instead of a lab node');
  const where = (cmd: Command): Globals => cmd.optsWithGlobals<Globals>();

  c.command('ps')
    .description('list containers (running ones unless -a)')
    .option('-a, --all', 'show all containers')
    .option('--name <regex>', 'filter by container name')
    .option('-p, --pod <id>', 'filter by pod sandbox ID (prefix)')
    .option('--state <state>', 'filter by state: created, running, exited, unknown')
    .option('-q, --quiet', 'only the full container IDs')
    .option('-o, --output <format>', 'json, or omit for the table')
    .action(async (o: { all?: boolean; name?: string; pod?: string; state?: string; quiet?: boolean; output?: string }, cmd: Command) => {
      const { crictlPs } = await import('../../observe/crictlcmd.js');
      process.stdout.write(crictlPs(where(cmd), o, { output: parseOutput(o.output), quiet: o.quiet }));
    });

  c.command('pods')
    .description('list pod sandboxes')
    .option('--name <regex>', 'filter by pod name')
    .option('--namespace <regex>', 'filter by namespace')
    .option('--state <state>', 'filter by state: ready, notready')
    .option('-q, --quiet', 'only the full sandbox IDs')
    .option('-o, --output <format>', 'json, or omit for the table')
    .action(async (o: { name?: string; namespace?: string; state?: string; quiet?: boolean; output?: string }, cmd: Command) => {
      const { crictlPods } = await import('../../observe/crictlcmd.js');
      process.stdout.write(crictlPods(where(cmd), o, { output: parseOutput(o.output), quiet: o.quiet }));
    });

  c.command('inspect')
    .description('a container\'s status and runtime info as JSON (.info.pid is its PID 1 on the host)')
    .argument('<id...>', 'container IDs (unique prefixes)')
    .option('-o, --output <format>', 'json (the only form)')
    .action(async (ids: string[], o: { output?: string }, cmd: Command) => {
      parseOutput(o.output);
      const { crictlInspect } = await import('../../observe/crictlcmd.js');
      process.stdout.write(crictlInspect(where(cmd), ids));
    });

  c.command('inspectp')
    .description('a pod sandbox\'s status and runtime info as JSON (.info.pid is the pause process)')
    .argument('<id...>', 'pod sandbox IDs (unique prefixes)')
    .option('-o, --output <format>', 'json (the only form)')
    .action(async (ids: string[], o: { output?: string }, cmd: Command) => {
      parseOutput(o.output);
      const { crictlInspectp } = await import('../../observe/crictlcmd.js');
      process.stdout.write(crictlInspectp(where(cmd), ids));
    });
}
