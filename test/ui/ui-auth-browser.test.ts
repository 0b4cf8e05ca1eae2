/// <reference lib="dom" />
// The web UI of `tracklab server --auth` (a real server process over a real
// SQLite store) in real Chromium, for people it refuses: a visitor who is
// not signed in, a user without READ on an experiment, a user on a server
// whose default is NO_PERMISSIONS, and a reader whose change the server
// refuses. Each sees a page or a notice in words that says what was refused
// and what to do, never MLflow's JSON error body or a stack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium';
import { api } from '../server/server-fixture';
import { repoRoot } from '../support/jupyter';
import { testStores, type TestStore } from '../support/test-stores';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const ADMIN_ENV = { TRACKLAB_ADMIN_USERNAME: 'root', TRACKLAB_ADMIN_PASSWORD: 'root-password-1' };
const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const ADMIN = basic(ADMIN_ENV.TRACKLAB_ADMIN_USERNAME, ADMIN_ENV.TRACKLAB_ADMIN_PASSWORD);

interface CliServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** `tracklab server --auth` as a child process on a free port; `stop()` sends it SIGTERM and waits. */
async function startServer(store: TestStore, extra: readonly string[] = []): Promise<CliServer> {
  const env = { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '', ...ADMIN_ENV };
  const child = spawn(process.execPath, [CLI, '--tracking-uri', store.uri, 'server', '--port', '0', '--auth', ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { out += t; });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /web UI: (https?:\/\/\S+?)\/?\n/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`tracklab server exited before serving the UI: ${out}`)));
  });
  return { url, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

let browser: Awaited<ReturnType<typeof launchChromium>>;
const stores: TestStore[] = [];
const servers: CliServer[] = [];

before(async () => { browser = await launchChromium(); });

after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  for (const s of stores) await s.cleanup();
});

async function server(extra: readonly string[] = []): Promise<CliServer> {
  const store = testStores()[0]!.create();
  stores.push(store);
  const s = await startServer(store, extra);
  servers.push(s);
  return s;
}

/** A page whose every request carries these headers (a browser that signed in at the prompt sends them too). */
async function pageAs(headers: Record<string, string>): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setExtraHTTPHeaders(headers);
  return page;
}

/** The page's visible text, after checking it shows no JSON error body and no stack. */
async function shownText(page: Page): Promise<string> {
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /\{"error_code"/, 'no raw JSON error body');
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return text;
}

test('a visitor who is not signed in gets a sign-in page in words, not the 401 JSON', async () => {
  const s = await server();
  const page = await browser.context.newPage();
  // Headless Chromium has no sign-in prompt to show; this answers it as a person who cancels it does, so the 401's page is shown.
  const cdp = await browser.context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', (e) => { void cdp.send('Fetch.continueRequest', { requestId: e.requestId }); });
  cdp.on('Fetch.authRequired', (e) => { void cdp.send('Fetch.continueWithAuth', { requestId: e.requestId, authChallengeResponse: { response: 'CancelAuth' } }); });
  await cdp.send('Fetch.enable', { handleAuthRequests: true });
  const res = await page.goto(`${s.url}/`);
  assert.equal(res?.status(), 401);
  assert.match(res?.headers()['www-authenticate'] ?? '', /^Basic/, 'the browser can still prompt for a user name and password');
  assert.equal(await page.title(), 'Sign in to tracklab · tracklab');
  const text = await shownText(page);
  assert.match(text, /^Sign in to tracklab/);
  assert.match(text, /You are not signed in, or your user name or password was not accepted\. Reload this page to sign in; if you have no account on this tracklab server, ask its admin to create one\./);

  await page.setExtraHTTPHeaders(basic('root', 'not-the-password'));
  assert.equal((await page.goto(`${s.url}/models`))?.status(), 401);
  assert.match(await shownText(page), /Reload this page to sign in/);
  await page.close();
});

test('a user without READ on one experiment is told which experiment, and to ask an admin; a reader\'s refused change is a notice in words', async () => {
  const s = await server();
  const exp = (await api(s.url, 'POST', 'experiments/create', { name: 'private' }, ADMIN)).body.experiment_id as string;
  const runId = (await api(s.url, 'POST', 'runs/create', { experiment_id: exp, run_name: 'r1' }, ADMIN)).body.run.info.run_id as string;
  for (const username of ['outsider', 'reader']) {
    assert.equal((await api(s.url, 'POST', 'users/create', { username, password: `${username}-password` }, ADMIN)).status, 200);
  }
  assert.equal((await api(s.url, 'POST', 'experiments/permissions/create', { experiment_id: exp, username: 'outsider', permission: 'NO_PERMISSIONS' }, ADMIN)).status, 200);

  const outsider = await pageAs(basic('outsider', 'outsider-password'));
  const res = await outsider.goto(`${s.url}/experiments/${exp}`);
  assert.equal(res?.status(), 403);
  assert.match(res?.headers()['content-type'] ?? '', /^text\/html/);
  const text = await shownText(outsider);
  assert.match(text, /^Permission denied/);
  assert.match(text, new RegExp(`user "outsider" may not read all of it: you have no READ on experiment "${exp}"\\. Ask an admin \\(or the owner\\) to grant you READ on it, or use the REST API`));
  await outsider.close();

  // The default READ opens every page; changes need EDIT everywhere, and the refusal comes back from /ui-api/ as a notice.
  const reader = await pageAs(basic('reader', 'reader-password'));
  assert.equal((await reader.goto(`${s.url}/runs/${runId}`))?.status(), 200);
  await reader.fill('input[aria-label="Tag key"]', 'team');
  await reader.click('form[data-change$="/tag"] button[type="submit"]');
  const toast = reader.locator('.toast.error[role="alert"]');
  await toast.waitFor();
  assert.equal(await toast.innerText(), 'Permission denied: changes from the web UI need EDIT on every experiment and model.');
  await shownText(reader);
  await reader.close();
});

test('on a server whose default is NO_PERMISSIONS, the page says so and what to ask an admin for', async () => {
  const s = await server(['--default-permission', 'NO_PERMISSIONS']);
  assert.equal((await api(s.url, 'POST', 'users/create', { username: 'ana', password: 'ana-password-1' }, ADMIN)).status, 200);
  const page = await pageAs(basic('ana', 'ana-password-1'));
  assert.equal((await page.goto(`${s.url}/`))?.status(), 403);
  const text = await shownText(page);
  assert.match(text, /user "ana" may not read all of it: this server gives NO_PERMISSIONS on every experiment and model nobody granted you\. Ask an admin for READ on every experiment and registered model, or use the REST API/);
  await page.close();
});
