import { readdirSync, statSync } from 'node:fs';
import { SELF, type NetnsPath } from '../net/exec.js';

/**
 * The named namespace (`/run/netns/<name>`) this process runs in, or SELF when it has no name.
 * `ip netns exec pn-node1 podnet agent` gives the agent an explicit, checkable path: SELF's host guard
 * compares with /proc/1/ns/net, which can be unreadable inside a sandbox (then SELF is always refused).
 */
export function resolveSelfNetns(dir = '/run/netns'): NetnsPath {
  try {
    const me = statSync('/proc/self/ns/net');
    for (const name of readdirSync(dir)) {
      try {
        const st = statSync(`${dir}/${name}`);
        if (st.ino === me.ino && st.dev === me.dev) return `${dir}/${name}`;
      } catch { /* vanished */ }
    }
  } catch { /* no /run/netns */ }
  return SELF;
}
