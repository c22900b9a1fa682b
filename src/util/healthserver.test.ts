import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gauge, Registry } from 'prom-client';
import { serveHealthAndMetrics } from './healthserver.js';

test('healthz follows the health function; metrics serves the registry', async () => {
  const reg = new Registry();
  new Gauge({ name: 'demo_up', help: 'demo', registers: [reg] }).set(1);
  let why: string | undefined;
  const s = await serveHealthAndMetrics('127.0.0.1', 0, reg, () => why);
  try {
    const get = async (p: string): Promise<[number, string]> => { const r = await fetch(`http://127.0.0.1:${s.port}${p}`); return [r.status, await r.text()]; };
    assert.deepEqual(await get('/healthz'), [200, 'ok']);
    why = 'lease lost';
    assert.deepEqual(await get('/healthz'), [500, '[-]healthz failed: reason withheld\n']);
    const [code, text] = await get('/metrics');
    assert.equal(code, 200);
    assert.match(text, /^demo_up 1$/m);
    assert.equal((await get('/nope'))[0], 404);
  } finally {
    await s.close();
  }
});
