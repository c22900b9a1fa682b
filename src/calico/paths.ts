import { join } from 'node:path';

/** Calico mode's files under an agent's state dir: BIRD's config, control socket, pid file and log; the IPAM lock. */
export interface CalicoPaths { dir: string; birdConf: string; birdSocket: string; birdPid: string; birdLog: string; ipamLock: string }

export function calicoPaths(stateDir: string): CalicoPaths {
  const dir = join(stateDir, 'calico');
  return { dir, birdConf: join(dir, 'bird.conf'), birdSocket: join(dir, 'bird.ctl'), birdPid: join(dir, 'bird.pid'), birdLog: join(dir, 'bird.log'), ipamLock: join(dir, 'ipam.lock') };
}
