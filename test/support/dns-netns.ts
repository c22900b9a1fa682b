import { randomBytes } from 'node:crypto';
import { exec } from '../../src/util/exec.js';

/**
 * Two namespaces joined by a veth for DNS tests: `server` (10.53.0.1 and 10.53.0.3 for an upstream)
 * and `client` (10.53.0.2). Everything is removed by `destroy()`, which is safe to call twice.
 */
export interface DnsTopo { server: string; client: string; destroy(): Promise<void> }

export async function makeDnsTopo(): Promise<DnsTopo> {
  const id = randomBytes(2).toString('hex');
  const server = `pn-tdns-s-${id}`;
  const client = `pn-tdns-c-${id}`;
  const destroy = async (): Promise<void> => {
    for (const ns of [server, client]) {
      // Kill whatever still runs inside before removing the namespace.
      const pids = await exec(['ip', 'netns', 'pids', ns], { allowFail: true });
      for (const pid of pids.stdout.split('\n').filter(Boolean)) await exec(['kill', '-9', pid], { allowFail: true });
      await exec(['ip', 'netns', 'delete', ns], { allowFail: true });
    }
  };
  try {
    await exec(['ip', 'netns', 'add', server]);
    await exec(['ip', 'netns', 'add', client]);
    const cmds: string[][] = [
      ['ip', '-n', server, 'link', 'set', 'lo', 'up'],
      ['ip', '-n', client, 'link', 'set', 'lo', 'up'],
      ['ip', '-n', server, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client],
      ['ip', '-n', server, 'addr', 'add', '10.53.0.1/24', 'dev', 'eth0'],
      ['ip', '-n', server, 'addr', 'add', '10.53.0.3/24', 'dev', 'eth0'],
      ['ip', '-n', client, 'addr', 'add', '10.53.0.2/24', 'dev', 'eth0'],
      ['ip', '-n', server, 'link', 'set', 'eth0', 'up'],
      ['ip', '-n', client, 'link', 'set', 'eth0', 'up'],
    ];
    for (const c of cmds) await exec(c);
  } catch (e) {
    await destroy();
    throw e;
  }
  return { server, client, destroy };
}
