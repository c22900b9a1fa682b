import type { Command } from 'commander';
import { join } from 'node:path';
import { PodnetError } from '../../util/errors.js';

/** Registers `podnet bgp status`: a node's BGP sessions (its BIRD), as `calicoctl node status` prints them. */
export function register(program: Command): void {
  const bgp = program.command('bgp').description('calico mode: BGP sessions of the nodes\' BIRD');
  bgp.command('status')
    .description('peers of a node\'s BIRD: address, type, state, since, info (like calicoctl node status)')
    .option('--name <lab>', 'lab name (with --node, or every node of the lab)', 'lab')
    .option('--node <node>', 'the lab node to ask')
    .option('--state-dir <dir>', 'ask the BIRD of an agent running in this network namespace with this --state-dir instead of a lab node')
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (o: { name: string; node?: string; stateDir?: string; output: string }) => {
      if (o.output !== 'table' && o.output !== 'json') throw new PodnetError('EFLAG', `-o must be table or json, not "${o.output}"`);
      const { birdc, birdPid, parseProtocols } = await import('../../net/bird.js');
      const { SELF } = await import('../../net/exec.js');
      const { netnsPath } = await import('../../net/netns.js');
      const { calicoPaths } = await import('../../calico/paths.js');
      const { peerStatuses, formatNodeStatus } = await import('../../calico/bgp/status.js');
      const targets: { node: string; ns: Parameters<typeof birdc>[0]; stateDir: string }[] = [];
      if (o.stateDir) targets.push({ node: o.node ?? '', ns: SELF, stateDir: o.stateDir });
      else {
        const { readState } = await import('../../lab/index.js');
        const { nodeDir, netnsName } = await import('../../lab/paths.js');
        const st = readState(o.name);
        if (!st) throw new PodnetError('ENOLAB', `lab "${o.name}" is not up`);
        if (st.spec.network !== 'calico') throw new PodnetError('ENOTCALICO', `lab "${o.name}" runs ${st.spec.network ?? 'flannel'}, not calico: no BGP`);
        const nodes = o.node ? [o.node] : st.spec.nodes.map((n) => n.name);
        for (const n of nodes) {
          if (!st.spec.nodes.some((x) => x.name === n)) throw new PodnetError('ENONODE', `no node ${n} in lab ${o.name}`);
          targets.push({ node: n, ns: netnsPath(netnsName(o.name, n)), stateDir: join(nodeDir(o.name, n), 'state') });
        }
      }
      const results = [];
      for (const t of targets) {
        const p = calicoPaths(t.stateDir);
        const running = birdPid(p.birdPid) !== undefined;
        const r = running ? await birdc(t.ns, p.birdSocket, ['show', 'protocols']) : { ok: false, text: '' };
        results.push({ node: t.node, running: running && r.ok, peers: r.ok ? peerStatuses(parseProtocols(r.text)) : [] });
      }
      if (o.output === 'json') process.stdout.write(JSON.stringify(o.node || o.stateDir ? results[0] : results, null, 2) + '\n');
      else for (const r of results) process.stdout.write((targets.length > 1 ? `${r.node}:\n` : '') + formatNodeStatus(r.running, r.peers) + (targets.length > 1 ? '\n' : ''));
      process.exit(0);
    });
}
