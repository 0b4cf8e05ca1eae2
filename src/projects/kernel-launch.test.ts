import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { test } from 'node:test';
import { freeLoopbackPorts, kernelPortRange } from './kernel-launch';

test('the kernel port window keeps clear of the ephemeral range, wherever the OS puts it', () => {
  assert.deepEqual(kernelPortRange([32768, 60999]), [20000, 32768], 'Linux default: below it');
  assert.deepEqual(kernelPortRange([49152, 65535]), [20000, 49152], 'IANA range');
  assert.deepEqual(kernelPortRange([10000, 30000]), [30001, 65536], 'starting below 20000: above it');
  assert.deepEqual(kernelPortRange([1024, 40000]), [40001, 65536]);
  assert.deepEqual(kernelPortRange([20500, 65000]), [20000, 65536], 'no room on either side: the whole range, and startKernel retries a clash');
});

test('kernel ports are free, distinct, outside the ephemeral range, and not handed out twice by one process', async () => {
  const [ephemeralLow, ephemeralHigh] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  const [first, end] = kernelPortRange([ephemeralLow, ephemeralHigh]);
  const launches = await Promise.all(Array.from({ length: 8 }, () => freeLoopbackPorts(5)));
  const all = launches.flat();
  assert.equal(new Set(all).size, all.length, 'no port twice, even for launches at the same time');
  for (const port of all) assert.ok(port >= first && port < end, `port ${port} in [${first}, ${end})`);
  if (end - first < 65536 - 20000) for (const port of all) assert.ok(port < ephemeralLow || port > ephemeralHigh, `port ${port} is not ephemeral`);
  // Each is bindable now that the check released it.
  for (const port of launches[0]) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
