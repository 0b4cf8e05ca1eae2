import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { test } from 'node:test';
import { freeLoopbackPorts } from './kernel-launch';

test('kernel ports are free, distinct, below the ephemeral range, and not handed out twice by one process', async () => {
  const ephemeralLow = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const launches = await Promise.all(Array.from({ length: 8 }, () => freeLoopbackPorts(5)));
  const all = launches.flat();
  assert.equal(new Set(all).size, all.length, 'no port twice, even for launches at the same time');
  for (const port of all) assert.ok(port >= 20000 && port < ephemeralLow, `port ${port}`);
  // Each is bindable now that the check released it.
  for (const port of launches[0]) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
