import { getLink, setDown, setUp } from '../../../net/link.js';
import { CniError, ErrCode, type CmdArgs, type CniPlugin, type Result } from '../../types.js';

/** Brings `lo` of the container namespace up (ADD) or down (DEL); reports 127.0.0.1/8 and ::1/128. */
async function add(a: CmdArgs): Promise<Result> {
  try { await setUp(a.netns, 'lo'); } catch (e) {
    throw new CniError(ErrCode.Internal, `loopback: failed to set lo up in ${a.netns}`, (e as Error).message);
  }
  const prev = a.conf.prevResult as Result | undefined;
  if (prev) return { ...prev, cniVersion: a.conf.cniVersion };
  return {
    cniVersion: a.conf.cniVersion,
    interfaces: [{ name: 'lo', mac: '00:00:00:00:00:00', sandbox: a.netns }],
    ips: [{ address: '127.0.0.1/8', interface: 0 }, { address: '::1/128', interface: 0 }],
  };
}

async function del(a: CmdArgs): Promise<void> {
  if (!a.netns) return;
  // the namespace may already be gone: DEL must still succeed
  await setDown(a.netns, 'lo').catch(() => undefined);
}

async function check(a: CmdArgs): Promise<void> {
  const lo = await getLink(a.netns, 'lo').catch(() => undefined);
  if (!lo) throw new CniError(ErrCode.Internal, `loopback: no lo in ${a.netns}`);
  if (!lo.flags.includes('UP')) throw new CniError(ErrCode.Internal, 'loopback: lo is down');
}

const loopback: CniPlugin = { add, del, check, gc: async () => {}, status: async () => {} };
export default loopback;
