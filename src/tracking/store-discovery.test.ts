import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { discoverStore } from './store-discovery';
import { locateStore, resetSettings, setSettings } from './settings';

function tree(...paths: string[]): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-find-')));
  for (const p of paths) {
    const full = path.join(root, p);
    if (p.endsWith('/')) fs.mkdirSync(full, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, '{}');
    }
  }
  return root;
}

test('the nearest .tracklab above the working directory wins', () => {
  const root = tree('package.json', '.tracklab/', 'notebooks/deep/');
  const found = discoverStore(path.join(root, 'notebooks', 'deep'));
  assert.equal(found.home, path.join(root, '.tracklab'));
  assert.equal(found.source, 'found');
  assert.equal(found.reason, `found an existing .tracklab in ${root}, the nearest above ${path.join(root, 'notebooks', 'deep')}`);
  const inner = tree('.tracklab/', 'notebooks/.tracklab/');
  assert.equal(discoverStore(path.join(inner, 'notebooks')).home, path.join(inner, 'notebooks', '.tracklab'));
  assert.equal(discoverStore(path.join(inner, 'notebooks')).reason, 'found an existing .tracklab in the working directory');
});

test('without one, the project root: the nearest folder with .git or package.json', () => {
  const root = tree('package.json', 'notebooks/');
  const found = discoverStore(path.join(root, 'notebooks'));
  assert.deepEqual(found, {
    home: path.join(root, '.tracklab'), source: 'project',
    reason: `no .tracklab above ${path.join(root, 'notebooks')}; using the project root ${root} (it holds package.json)`,
  });
  const git = tree('.git/', 'src/pkg/package.json', 'src/pkg/nb/');
  assert.equal(discoverStore(path.join(git, 'src', 'pkg', 'nb')).home, path.join(git, 'src', 'pkg', '.tracklab'), 'the nearest marker');
});

test('a store outside the repository is not this project\'s: the search stops at .git', () => {
  const outer = tree('.tracklab/', 'repo/.git/', 'repo/notebooks/');
  const found = discoverStore(path.join(outer, 'repo', 'notebooks'));
  assert.equal(found.home, path.join(outer, 'repo', '.tracklab'));
  assert.equal(found.source, 'project');
  // A monorepo's store at its root is found from a package inside it.
  const mono = tree('.git/', '.tracklab/', 'packages/a/package.json', 'packages/a/nb/');
  assert.equal(discoverStore(path.join(mono, 'packages', 'a', 'nb')).home, path.join(mono, '.tracklab'));
});

test('with no store and no project above it, the working directory', () => {
  const root = tree('plain/');
  const found = discoverStore(path.join(root, 'plain'));
  assert.equal(found.source, 'cwd');
  assert.equal(found.home, path.join(root, 'plain', '.tracklab'));
});

afterEach(() => resetSettings());

test('an explicit folder, configure({ home }) and TRACKLAB_HOME come before discovery, in that order', () => {
  const saved = process.env.TRACKLAB_HOME;
  try {
    process.env.TRACKLAB_HOME = '/tmp/from-env';
    assert.deepEqual(locateStore(), { home: '/tmp/from-env', source: 'TRACKLAB_HOME', reason: 'set by the TRACKLAB_HOME environment variable' });
    setSettings({ home: '/tmp/from-configure' });
    assert.equal(locateStore().source, 'configure');
    assert.equal(locateStore().home, '/tmp/from-configure');
    assert.equal(locateStore('/tmp/explicit').source, 'option');
    resetSettings();
    process.env.TRACKLAB_HOME = '';
    assert.notEqual(locateStore().source, 'TRACKLAB_HOME', 'an empty TRACKLAB_HOME is unset');
  } finally {
    if (saved === undefined) delete process.env.TRACKLAB_HOME;
    else process.env.TRACKLAB_HOME = saved;
  }
});
