/**
 * What `--auth` costs a request: the same log-metric and log-batch calls
 * through a server with access control (Basic credentials, the login
 * remembered after its first scrypt; and an API token) and through one
 * without, over the same store, in alternating rounds (fastest round of
 * each kept). Plus the cost of the first login, which runs scrypt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureAdmin } from '../src/server/auth/admin-bootstrap';
import { startTrackingServer } from '../src/server/tracking-server';
import { openStore } from '../src/store/open-store';
import { tempDir, type Report } from './report';

const ROUNDS = 8;
const METRIC_CALLS = 200;
const BATCH_CALLS = 20;
const BATCH = 1000;

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function post(url: string, route: string, body: unknown, headers: Record<string, string>, method = 'POST'): Promise<void> {
  const res = await fetch(`${url}/api/2.0/mlflow/${route}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

export async function serverAuth(report: Report): Promise<void> {
  const dir = tempDir('server-auth');
  const backend = await openStore(path.join(dir, 'store'));
  const open = await startTrackingServer({ backend, port: 0 });
  const guarded = await startTrackingServer({
    backend, port: 0,
    auth: { dbFile: path.join(dir, 'auth.db'), prepare: async (a) => { await ensureAdmin(a.db, { TRACKLAB_ADMIN_USERNAME: 'admin', TRACKLAB_ADMIN_PASSWORD: 'admin-password-1' }); } },
  });
  try {
    const admin = { authorization: `Basic ${Buffer.from('admin:admin-password-1').toString('base64')}` };
    await post(guarded.url, 'users/create', { username: 'ana', password: 'ana-password-1' }, admin);
    const ana = { authorization: `Basic ${Buffer.from('ana:ana-password-1').toString('base64')}` };
    const exp = (await (await fetch(`${guarded.url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json', ...ana }, body: '{"name":"bench"}' })).json()) as { experiment_id: string };
    const runId = (await (await fetch(`${guarded.url}/api/2.0/mlflow/runs/create`, { method: 'POST', headers: { 'content-type': 'application/json', ...ana }, body: JSON.stringify({ experiment_id: exp.experiment_id }) })).json() as { run: { info: { run_id: string } } }).run.info.run_id;
    const tokenRes = await fetch(`${guarded.url}/api/2.0/mlflow/users/tokens/create`, { method: 'POST', headers: { 'content-type': 'application/json', ...ana }, body: '{}' });
    const token = { authorization: `Bearer ${((await tokenRes.json()) as { secret: string }).secret}` };

    // The first login of a user runs scrypt; later requests reuse the verified login.
    const firstLogin: number[] = [];
    for (let i = 0; i < 5; i++) {
      await post(guarded.url, 'users/update-password', { username: 'ana', password: `ana-password-${i + 2}` }, i === 0 ? ana : { authorization: `Basic ${Buffer.from(`ana:ana-password-${i + 1}`).toString('base64')}` }, 'PATCH');
      const t0 = process.hrtime.bigint();
      await post(guarded.url, 'runs/set-tag', { run_id: runId, key: 'k', value: 'v' }, { authorization: `Basic ${Buffer.from(`ana:ana-password-${i + 2}`).toString('base64')}` });
      firstLogin.push(seconds(t0) * 1000);
    }
    const basicAna = { authorization: `Basic ${Buffer.from('ana:ana-password-6').toString('base64')}` };

    let step = 0;
    const metricRound = async (url: string, headers: Record<string, string>) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < METRIC_CALLS; i++) await post(url, 'runs/log-metric', { run_id: runId, key: 'm', value: i, timestamp: 1, step: step++ }, headers);
      return METRIC_CALLS / seconds(t0);
    };
    const batchRound = async (url: string, headers: Record<string, string>) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH_CALLS; i++) {
        await post(url, 'runs/log-batch', { run_id: runId, metrics: Array.from({ length: BATCH }, (_, j) => ({ key: 'b', value: j, timestamp: 1, step: step++ })) }, headers);
      }
      return (BATCH_CALLS * BATCH) / seconds(t0);
    };
    const best = { metricOpen: 0, metricBasic: 0, metricToken: 0, batchOpen: 0, batchBasic: 0 };
    await metricRound(open.url, {}); // warm both
    await metricRound(guarded.url, basicAna);
    for (let r = 0; r < ROUNDS; r++) {
      best.metricOpen = Math.max(best.metricOpen, await metricRound(open.url, {}));
      best.metricBasic = Math.max(best.metricBasic, await metricRound(guarded.url, basicAna));
      best.metricToken = Math.max(best.metricToken, await metricRound(guarded.url, token));
      best.batchOpen = Math.max(best.batchOpen, await batchRound(open.url, {}));
      best.batchBasic = Math.max(best.batchBasic, await batchRound(guarded.url, basicAna));
    }
    report.add({
      name: 'log-metric requests through tracklab server --auth (Basic, login remembered)', value: best.metricBasic, unit: 'requests/s',
      baseline: { name: 'the same requests to a server without --auth', value: best.metricOpen },
    });
    report.add({
      name: 'log-metric requests through tracklab server --auth (API token)', value: best.metricToken, unit: 'requests/s',
      baseline: { name: 'the same requests to a server without --auth', value: best.metricOpen },
    });
    report.add({
      name: `log-batch (${BATCH} points) through tracklab server --auth (Basic)`, value: best.batchBasic, unit: 'points/s',
      baseline: { name: 'the same batches to a server without --auth', value: best.batchOpen },
    });
    report.add({
      name: 'a first Basic login (scrypt N=2^15, r=8) plus one set-tag, median of 5', value: firstLogin.sort((a, b) => a - b)[2]!, unit: 'ms',
      note: 'paid once per user and password for 5 minutes; later requests reuse the verified login',
    });
  } finally {
    await guarded.close();
    await open.close();
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
