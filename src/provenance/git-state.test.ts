import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { gitState, stripCredentials, uncommittedDiff } from './git-state';

test('stripCredentials removes users, passwords, tokens and queries from remote URLs', () => {
  assert.equal(stripCredentials('https://x-access-token:ghp_secret@github.com/o/r.git'), 'https://github.com/o/r.git');
  assert.equal(stripCredentials('https://ghp_secret@github.com/o/r.git'), 'https://github.com/o/r.git');
  assert.equal(stripCredentials('ssh://git:pw@host:2222/o/r.git'), 'ssh://host:2222/o/r.git');
  assert.equal(stripCredentials('https://host/o/r.git?private_token=abc'), 'https://host/o/r.git');
  assert.equal(stripCredentials('git@github.com:o/r.git'), 'git@github.com:o/r.git', 'scp-like: the ssh user is not a secret');
  assert.equal(stripCredentials('/srv/git/r.git'), '/srv/git/r.git');
});

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();
}

test('gitState and uncommittedDiff read a real repository; untracked files are listed, not included; the diff is capped', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  assert.equal(gitState(dir), undefined, 'outside a repository');
  git(dir, 'init', '-q', '-b', 'trunk');
  assert.equal(gitState(dir), undefined, 'a repository without commits');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one\n');
  git(dir, 'add', 'a.txt');
  git(dir, 'commit', '-q', '-m', 'first');
  git(dir, 'remote', 'add', 'origin', 'https://bob:hunter2@example.com/team/repo.git');
  const clean = gitState(dir)!;
  assert.deepEqual(clean, { commit: git(dir, 'rev-parse', 'HEAD'), root: fs.realpathSync(dir), branch: 'trunk', remote: 'https://example.com/team/repo.git', dirty: false });

  fs.writeFileSync(path.join(dir, 'new.txt'), 'untracked\n');
  assert.equal(gitState(dir)!.dirty, false, 'untracked files alone leave the tree clean');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one\ntwo\n');
  assert.equal(gitState(dir)!.dirty, true);
  const diff = (await uncommittedDiff(dir))!;
  assert.match(diff, /^diff --git a\/a\.txt b\/a\.txt[\s\S]*\n\+two\n/);
  assert.match(diff, /# Untracked files \(contents not included\):\n#   new\.txt\n$/);
  assert.doesNotMatch(diff, /untracked\n/, 'untracked contents stay out');

  const cut = (await uncommittedDiff(dir, 120))!;
  assert.ok(Buffer.byteLength(cut) <= 120, `${Buffer.byteLength(cut)} bytes`);
  assert.match(cut, /# tracklab: diff truncated at 120 of \d+ bytes\.\n$/);
});

test('gitState answers as one git question per fact would: inside .git, detached, and a remote with no URL of its own', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-')));
  git(dir, 'init', '-q', '-b', 'trunk');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one\n');
  git(dir, 'add', 'a.txt');
  git(dir, 'commit', '-q', '-m', 'first');
  const commit = git(dir, 'rev-parse', 'HEAD');
  // No work tree inside .git: the folder itself is the root, as when --show-toplevel is asked alone.
  assert.deepEqual(gitState(path.join(dir, '.git')), { commit, root: path.join(dir, '.git'), branch: 'trunk' });
  git(dir, 'config', 'remote.mirror.fetch', '+refs/heads/*:refs/remotes/mirror/*');
  assert.equal(gitState(dir)!.remote, 'mirror', 'git remote get-url names a remote without a URL by itself');
  git(dir, 'remote', 'add', 'origin', 'git@example.com:team/repo.git');
  git(dir, 'checkout', '-q', '--detach');
  assert.deepEqual(gitState(dir), { commit, root: dir, remote: 'git@example.com:team/repo.git', dirty: false });
});
