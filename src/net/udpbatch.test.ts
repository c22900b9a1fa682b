import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { closeFd, openUdp, parseSockaddr, pollReadable, sendOne, sockaddr, UdpBatch, SLOT_BYTES } from './udpbatch.js';

test('sockaddr and parseSockaddr round-trip IPv4 and IPv6', () => {
  assert.deepEqual(parseSockaddr(sockaddr('127.0.0.1', 53)), { host: '127.0.0.1', port: 53 });
  assert.deepEqual(parseSockaddr(sockaddr('fd00::a:1', 5353)), { host: 'fd00:0:0:0:0:0:a:1', port: 5353 });
  assert.deepEqual(parseSockaddr(sockaddr('::ffff:10.0.0.1', 1)), { host: '0:0:0:0:0:ffff:a00:1', port: 1 });
  assert.throws(() => sockaddr('nope', 1), /not an IP address/);
});

test('openUdp binds port 0 to a free port; an address this host lacks is a clear error', () => {
  const a = openUdp('127.0.0.1', 0, 1 << 20);
  try {
    assert.equal(a.host, '127.0.0.1');
    assert.ok(a.port > 0);
  } finally { closeFd(a.fd); }
  assert.throws(() => openUdp('192.0.2.1', 0, 0), (e: Error & { code?: string }) => e.code === 'ELIBC' && /bind 192\.0\.2\.1:0: Cannot assign requested address/.test(e.message));
  assert.throws(() => openUdp('nope', 0, 0), /not an IP address/);
});

function collect(sock: dgram.Socket, n: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(got), 2000);
    sock.on('message', (m) => { got.push(m.toString()); if (got.length === n) { clearTimeout(t); resolve(got); } });
  });
}

test('a batch reads many datagrams in one call and replies to the chosen ones in one call', async () => {
  const s = openUdp('127.0.0.1', 0, 1 << 20);
  const client = dgram.createSocket('udp4');
  const batch = new UdpBatch();
  try {
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const sent = Array.from({ length: 10 }, (_, i) => `q${i}`);
    for (const m of sent) client.send(m, s.port, '127.0.0.1');
    const replies = collect(client, 5);
    let seen: string[] = [];
    await new Promise<void>((resolve) => {
      const p = pollReadable(s.fd, () => {
        const n = batch.recv(s.fd);
        for (let i = 0; i < n; i++) {
          const text = batch.in(i).toString('latin1', 0, batch.len(i));
          seen.push(text);
          if (Number(text.slice(1)) % 2) continue;              // only the even ones get a reply
          const out = batch.out(i);
          const len = out.write(`r${text}`, 'latin1');
          batch.reply(i, len);
        }
        batch.flush(s.fd);
        if (seen.length === sent.length) { p.stop(); resolve(); }
      });
    });
    assert.deepEqual(seen.sort(), [...sent].sort());
    assert.deepEqual((await replies).sort(), ['rq0', 'rq2', 'rq4', 'rq6', 'rq8']);
    // The headers moved together for that flush point at their own slots again: all reply now.
    seen = [];
    for (const m of ['a', 'b', 'c']) client.send(m, s.port, '127.0.0.1');
    const more = collect(client, 3);
    await new Promise<void>((resolve) => {
      const p = pollReadable(s.fd, () => {
        const n = batch.recv(s.fd);
        for (let i = 0; i < n; i++) { const t = batch.in(i).toString('latin1', 0, batch.len(i)); seen.push(t); batch.reply(i, batch.out(i).write(`r${t}`, 'latin1')); }
        batch.flush(s.fd);
        if (seen.length === 3) { p.stop(); resolve(); }
      });
    });
    assert.deepEqual((await more).sort(), ['ra', 'rb', 'rc']);
  } finally {
    client.close();
    closeFd(s.fd);
  }
});

test('a datagram longer than a slot is flagged (-1), and sendOne replies to a kept peer address', async () => {
  const s = openUdp('127.0.0.1', 0, 1 << 20);
  const client = dgram.createSocket('udp4');
  const batch = new UdpBatch();
  try {
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    client.send(Buffer.alloc(SLOT_BYTES + 100, 1), s.port, '127.0.0.1');
    client.send('ok', s.port, '127.0.0.1');
    const lens: number[] = [];
    let peer: Buffer | undefined;
    await new Promise<void>((resolve) => {
      const p = pollReadable(s.fd, () => {
        const n = batch.recv(s.fd);
        for (let i = 0; i < n; i++) { lens.push(batch.len(i)); peer = batch.peer(i); }
        if (lens.length === 2) { p.stop(); resolve(); }
      });
    });
    assert.deepEqual(lens, [-1, 2]);
    assert.deepEqual(parseSockaddr(peer!), { host: '127.0.0.1', port: client.address().port });
    const got = collect(client, 1);
    assert.equal(sendOne(s.fd, Buffer.from('later'), peer!), true);
    assert.deepEqual(await got, ['later']);
  } finally {
    client.close();
    closeFd(s.fd);
  }
});

test('IPv6: a batch on ::1 reads and replies with sockaddr_in6 peers', async () => {
  const s = openUdp('::1', 0, 1 << 20);
  const client = dgram.createSocket('udp6');
  const batch = new UdpBatch();
  try {
    assert.equal(s.host, '0:0:0:0:0:0:0:1');
    await new Promise<void>((r) => client.bind(0, '::1', () => r()));
    const got = collect(client, 1);
    client.send('six', s.port, '::1');
    await new Promise<void>((resolve) => {
      const p = pollReadable(s.fd, () => {
        const n = batch.recv(s.fd);
        for (let i = 0; i < n; i++) {
          assert.deepEqual(parseSockaddr(batch.peer(i)), { host: '0:0:0:0:0:0:0:1', port: client.address().port });
          batch.reply(i, batch.out(i).write('r6', 'latin1'));
        }
        batch.flush(s.fd);
        if (n) { p.stop(); resolve(); }
      });
    });
    assert.deepEqual(await got, ['r6']);
  } finally {
    client.close();
    closeFd(s.fd);
  }
});
