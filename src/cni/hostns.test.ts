import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pluginHostNs, withPluginHostNs } from './hostns.js';
import { netnsChangeable } from '../net/whereami.js';

test('withPluginHostNs scopes the plugins\' host namespace across awaits, per call; the host\'s own is refused', async () => {
  const seen = await Promise.all(['/run/netns/a', '/run/netns/b'].map((ns) => withPluginHostNs(ns, async () => {
    await new Promise((r) => setTimeout(r, 5));
    return pluginHostNs();
  })));
  assert.deepEqual(seen, ['/run/netns/a', '/run/netns/b']);
  const hostPaths = ['/proc/1/ns/net', '/proc/2/ns/net', '/proc/self/ns/net'].filter((p) => !netnsChangeable(p));
  for (const p of hostPaths) assert.throws(() => withPluginHostNs(p, () => 0), /machine's own/);
});
