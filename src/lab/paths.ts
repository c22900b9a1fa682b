import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every file a lab makes lives under here (tmpfs), so `lab down` can remove it all. */
export const LAB_ROOT = process.env.PODNET_LAB_ROOT ?? '/run/podnet';
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PODNET_BIN = join(REPO_ROOT, 'bin', 'podnet');
export const PODNET_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export function labDir(name: string): string { return join(LAB_ROOT, name); }
/** Present while labs run if the first of them found no /run/netns: the last `lab down` removes it again. */
export const NETNS_DIR_MARKER = join(LAB_ROOT, '.created-run-netns');
export function netnsName(lab: string, part: string): string { return `pn-${lab}-${part}`; }
export function stateFile(lab: string): string { return join(labDir(lab), 'state.json'); }
export function nodeDir(lab: string, node: string): string { return join(labDir(lab), 'nodes', node); }
export function logDir(lab: string): string { return join(labDir(lab), 'logs'); }
export function pidFile(lab: string, proc: string): string { return join(labDir(lab), 'pids', `${proc}.pid`); }
