import { PLUGINS } from './plugins/registry.js';
import { pluginMain } from './skel.js';

/** Entry of the `bin/cni/<name>` executables. */
export async function runPlugin(name: string): Promise<void> {
  const load = PLUGINS[name];
  if (!load) {
    process.stdout.write(JSON.stringify({ code: 999, msg: `unknown podnet CNI plugin "${name}"` }) + '\n');
    process.exitCode = 1;
    return;
  }
  await pluginMain(await load());
}
