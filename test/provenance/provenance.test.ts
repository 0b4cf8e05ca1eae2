import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runProject } from '../../src/projects/run-project';
import { GIT_DIFF_ARTIFACT, setProvenanceRefresh } from '../../src/provenance/provenance';
import { TrackingClient } from '../../src/tracking/client';
import { ensureBuilt, repoRoot, tempDir } from '../projects/runner-fixtures';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();
}

/** A committed project (manifest, script, package.json, lockfile), then a tracked edit and an untracked file. */
function dirtyRepo(): string {
  ensureBuilt();
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot(), path.join(dir, 'node_modules', 'tracklab'), 'dir');
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'demo', dependencies: { tracklab: '^0.1.0' }, devDependencies: { tsx: '^4' } }));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion":3}\n');
  fs.writeFileSync(path.join(dir, 'tracklab.yaml'), 'name: prov\nentry_points:\n  main:\n    script: train.js\n');
  fs.writeFileSync(path.join(dir, 'train.js'), "require('tracklab').withRun((run) => { run.log({ acc: 0.5 }); });\n");
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  git(dir, 'remote', 'add', 'origin', 'https://alice:s3cret-token@git.example.com/lab/prov.git');
  fs.appendFileSync(path.join(dir, 'train.js'), '// tuned by hand\n');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not committed\n');
  return dir;
}

test('every run records git commit, branch, remote (no credentials), dirty flag and the diff, OS, versions, dependencies and lockfile hash', async () => {
  const dir = dirtyRepo();
  const client = new TrackingClient({ home: tempDir() });
  try {
    const result = await runProject({ target: dir, client, progress: { write: () => undefined } });
    assert.equal(result.status, 'FINISHED', result.points[0]?.message ?? '');
    const project = await client.getRun(result.runId);
    const { runs: [inner] } = await client.searchRuns({ filter: `attributes.parent_run_id = '${result.runId}'` });
    assert.ok(inner, 'the script\'s own run');
    const lockSha = createHash('sha256').update(fs.readFileSync(path.join(dir, 'package-lock.json'))).digest('hex');
    // The project run (made by the runner) and the run inside (made by the script's process) describe the same source.
    for (const run of [project, inner]) {
      const tags = run.data.tags;
      assert.equal(tags['tracklab.git.commit'], git(dir, 'rev-parse', 'HEAD'));
      assert.equal(tags['tracklab.git.branch'], 'main');
      assert.equal(tags['tracklab.git.remote'], 'https://git.example.com/lab/prov.git');
      assert.equal(tags['tracklab.git.dirty'], 'true');
      assert.match(tags['tracklab.os']!, /^\S+ \S+ \S+$/);
      assert.equal(tags['tracklab.version.node'], process.versions.node);
      assert.match(tags['tracklab.version.tracklab']!, /^\d+\.\d+\.\d+/);
      assert.equal(tags['tracklab.lockfile'], 'package-lock.json');
      assert.equal(tags['tracklab.lockfile.sha256'], lockSha);
      assert.deepEqual(JSON.parse(tags['tracklab.dependencies']!), { dependencies: { tracklab: '^0.1.0' }, devDependencies: { tsx: '^4' } });
      assert.ok(!Object.values(tags).some((v) => v.includes('s3cret')), 'no tag leaks the credential');
      const [diffEntry] = await client.listArtifacts(run.info.runId, 'provenance');
      assert.equal(diffEntry?.path, GIT_DIFF_ARTIFACT);
    }
    assert.equal(inner.data.tags['tracklab.source.name'], path.join(dir, 'train.js'));
    assert.equal(project.data.tags['tracklab.source.type'], 'PROJECT');
    const diff = fs.readFileSync(await client.downloadArtifacts(`runs:/${inner.info.runId}/${GIT_DIFF_ARTIFACT}`, tempDir()), 'utf8');
    assert.match(diff, /\+\/\/ tuned by hand/);
    assert.match(diff, /#   notes\.txt/);
    const [a, b] = await Promise.all([project, inner].map(async (r) => (await client.listArtifacts(r.info.runId, 'provenance'))[0]!.sha256));
    assert.equal(a, b, 'one diff, stored once for both runs');
  } finally {
    await client.close();
  }
});

test('a clean tree gets no diff artifact, a later edit is seen by the same process; TRACKLAB_GIT_DIFF=0 keeps diffs out', async () => {
  const dir = dirtyRepo();
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'tuned');
  const client = new TrackingClient({ home: tempDir() });
  // A kernel lives for hours: folder facts are read again after a while (5 s by default; no wait here).
  setProvenanceRefresh(0);
  try {
    const clean = await client.createRun({ sourceDir: dir });
    assert.equal((await client.getRun(clean.runId)).data.tags['tracklab.git.dirty'], 'false');
    assert.deepEqual(await client.listArtifacts(clean.runId), []);

    fs.appendFileSync(path.join(dir, 'train.js'), '// again\n');
    const result = await runProject({ target: dir, client, progress: { write: () => undefined } });
    const withDiff = (await client.listArtifacts(result.runId)).map((e) => e.path);
    assert.deepEqual(withDiff, [GIT_DIFF_ARTIFACT]);
    assert.equal((await client.getRun(result.runId)).data.tags['tracklab.git.commit'], git(dir, 'rev-parse', 'HEAD'));
  } finally {
    setProvenanceRefresh(5000);
    await client.close();
  }
  const off = dirtyRepo();
  const previous = process.env.TRACKLAB_GIT_DIFF;
  process.env.TRACKLAB_GIT_DIFF = '0';
  const client2 = new TrackingClient({ home: tempDir() });
  try {
    const result = await runProject({ target: off, client: client2, progress: { write: () => undefined } });
    const { runs: [inner] } = await client2.searchRuns({ filter: `attributes.parent_run_id = '${result.runId}'` });
    for (const id of [result.runId, inner!.info.runId]) {
      assert.deepEqual(await client2.listArtifacts(id), [], 'no diff stored');
      assert.equal((await client2.getRun(id)).data.tags['tracklab.git.dirty'], 'true', 'the flag is still recorded');
    }
  } finally {
    if (previous === undefined) delete process.env.TRACKLAB_GIT_DIFF;
    else process.env.TRACKLAB_GIT_DIFF = previous;
    await client2.close();
  }
});
