import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerCommands } from './index.js';

const names = (p: Command): string[] => p.commands.map((c) => c.name()).sort();

test('registerCommands loads only the file owning the command run; every file for help or an unknown word', async () => {
  const one = new Command();
  await registerCommands(one, ['node', 'main.js', 'image-run', 'echo']);
  assert.deepEqual(names(one), ['image-run', 'images', 'kubelet']);
  const agent = new Command();
  await registerCommands(agent, ['node', 'main.js', 'agent', '--node-name', 'n1']);
  assert.deepEqual(names(agent), ['agent', 'agents']);
  const all = new Command();
  await registerCommands(all, ['node', 'main.js', '--help']);
  for (const n of ['apiserver', 'controller-manager', 'lab', 'agent', 'agents', 'kubelet', 'images', 'cni', 'proxy', 'dns', 'bench', 'ui', 'trace', 'flows']) assert.ok(names(all).includes(n), n);
  const unknown = new Command();
  await registerCommands(unknown, ['node', 'main.js', 'nosuch']);
  assert.deepEqual(names(unknown), names(all));
  const none = new Command();
  await registerCommands(none);
  assert.deepEqual(names(none), names(all));
});
