import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of podnet's own plugin executables (`<repo>/bin/cni`), for `binDirs`. */
export const PODNET_CNI_BIN_DIR: string = fileURLToPath(new URL('../../../bin/cni', import.meta.url));

/** The thin clients (`<repo>/bin/cni/fast`): sh + curl to the agent's CNI server, the full plugin when none answers. */
export const PODNET_CNI_FAST_DIR: string = join(PODNET_CNI_BIN_DIR, 'fast');
