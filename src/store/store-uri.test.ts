import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { isTracklabError } from '../errors';
import { connectionUri, maskedError, maskUri, MIN_BARE_SECRET_LENGTH, parseArtifactRoot, parseStoreUri } from './store-uri';

test('a plain path is a store folder; sqlite:// names the database file', () => {
  assert.deepEqual(parseStoreUri('runs', '/work'), { scheme: 'sqlite', folder: '/work/runs', file: '/work/runs/tracklab.db', display: '/work/runs' });
  assert.deepEqual(parseStoreUri('/abs/store'), { scheme: 'sqlite', folder: '/abs/store', file: '/abs/store/tracklab.db', display: '/abs/store' });
  const file = parseStoreUri('sqlite:///data/team/mlruns.db');
  assert.deepEqual(file, { scheme: 'sqlite', folder: '/data/team', file: '/data/team/mlruns.db', display: 'sqlite:///data/team/mlruns.db' });
  // SQLAlchemy's four slashes mean the same absolute path; sqlite:relative is relative to the working folder.
  assert.equal((parseStoreUri('sqlite:////data/x.db') as { file: string }).file, '/data/x.db');
  assert.equal((parseStoreUri('sqlite:rel/x.db', '/w') as { file: string }).file, path.join('/w', 'rel', 'x.db'));
  assert.equal((parseStoreUri('file:///srv/store') as { folder: string }).folder, '/srv/store');
  assert.equal(connectionUri(file), file.display);
});

test('postgresql:// and postgres:// keep their password out of sight', () => {
  for (const text of ['postgresql://ana:s3cr%40t@db.example:5432/tracklab?sslmode=require', 'postgres://ana:s3cr%40t@db.example/tracklab']) {
    const uri = parseStoreUri(text);
    assert.equal(uri.scheme, 'postgresql');
    assert.equal(connectionUri(uri), text, 'the driver gets the URI as given');
    assert.doesNotMatch(uri.display, /s3cr/);
    assert.match(uri.display, /ana:\*\*\*@db\.example/);
    for (const shown of [JSON.stringify(uri), inspect(uri, { depth: 5, showHidden: true }), `${uri.display}`, String(Object.values(uri))]) {
      assert.doesNotMatch(shown, /s3cr/, shown);
    }
  }
  // Socket forms that URL() refuses are accepted as they are (the driver reads them).
  const socket = parseStoreUri('postgresql://tracklab@/db?host=/tmp/pg&port=5432');
  assert.equal(socket.display, 'postgresql://tracklab@/db?host=/tmp/pg&port=5432');
  assert.equal(parseStoreUri('postgresql:///db?host=/tmp/pg&password=hunter2').display, 'postgresql:///db?host=/tmp/pg&password=***');
});

test('maskUri masks every URI password and password= parameter in free text, and known secrets', () => {
  assert.equal(maskUri('connect postgres://u:p%20w@h/db failed; also https://x:tok@host/a'), 'connect postgres://u:***@h/db failed; also https://x:***@host/a');
  assert.equal(maskUri('host=db password=hunter2 user=ana'), 'host=db password=*** user=ana');
  assert.equal(maskUri('no secrets in /home/ana/store or http://host:8080/x'), 'no secrets in /home/ana/store or http://host:8080/x');
  assert.equal(maskUri('auth failed for hunter2', ['hunter2']), 'auth failed for ***');
  const err = new Error('bad postgresql://ana:hunter2@db/x');
  const masked = maskedError(err) as Error;
  assert.notEqual(masked, err);
  assert.doesNotMatch(inspect(masked), /hunter2/);
  const clean = new Error('nothing to hide');
  assert.equal(maskedError(clean), clean);
});

test('maskUri takes time linear in the text: a long run of URI-like characters, with or without ://, does not hold it', { timeout: 20_000 }, () => {
  // Quadratic, each of these took hours; linear, milliseconds. The timeout only catches a hang.
  const run = 'a'.repeat(2_000_000);
  assert.equal(maskUri(run), run);
  assert.equal(maskUri(`${run}://x`), `${run}://x`);
  assert.equal(maskUri(`x://${run}`, ['s3cret-pass']), `x://${run}`);
  assert.equal(maskUri(`1postgres://ana:pw@db ${run}`), `1postgres://ana:***@db ${run}`);
});

test('a short password is masked only as a credential, so messages stay whole and do not point at its letters', () => {
  // The two messages a new-user test saw garbled ("auth***ntication", "une***pectedly").
  assert.equal(maskUri('password authentication failed for user "ana"', ['e']), 'password authentication failed for user "ana"');
  assert.equal(maskUri('Connection terminated unexpectedly', ['x', 'x']), 'Connection terminated unexpectedly');
  assert.equal(maskUri('reaching postgresql://ana:e@db/x failed for user "ana"', ['e']), 'reaching postgresql://ana:***@db/x failed for user "ana"');
  assert.equal(maskUri('host=db password=e user=ana', ['e']), 'host=db password=*** user=ana');
  assert.equal(maskUri('password=e', ['e']), 'password=***');
  // One that the general patterns cannot delimit (a slash, a space) is still found where it stands as a credential.
  assert.equal(maskUri('bad URI postgresql://ana:a/b@db/x', ['a/b']), 'bad URI postgresql://ana:***@db/x');
  assert.equal(maskUri("host=db password='a b' user=ana", ['a b']), 'host=db password=*** user=ana');
  assert.equal(maskUri("host=db password='it\\'s x' user=ana"), 'host=db password=*** user=ana'); // libpq's quoting
  // The limit: five characters only as a credential, six anywhere.
  assert.equal(MIN_BARE_SECRET_LENGTH, 6);
  assert.equal(maskUri('token abcde seen', ['abcde']), 'token abcde seen');
  assert.equal(maskUri('token abcdef seen', ['abcdef']), 'token *** seen');
  // A character that means something in a regular expression is matched as itself.
  assert.equal(maskUri('postgres://u:.*@h/x and .*', ['.*']), 'postgres://u:***@h/x and .*');
});

test('unknown schemes, http(s) and malformed URIs are refused with the forms that work', () => {
  assert.throws(() => parseStoreUri('mysql://u:hunter2@h/db'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
    && /"mysql:"/.test(e.message) && /postgresql:\/\//.test(e.message) && !/hunter2/.test(e.message));
  assert.throws(() => parseStoreUri('sqlite://host/x.db'), /three slashes/);
  assert.throws(() => parseStoreUri('sqlite:///dir/'), /names no database file/);
  assert.throws(() => parseStoreUri(''), /empty/);
  assert.throws(() => parseStoreUri('http://'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  assert.equal(parseStoreUri('https://tracking.example:5000').scheme, 'http');
});

test('an artifact root is a folder or a file:// URI', () => {
  assert.equal(parseArtifactRoot('art', '/w'), '/w/art');
  assert.equal(parseArtifactRoot('file:///mnt/team/artifacts'), '/mnt/team/artifacts');
  assert.throws(() => parseArtifactRoot('s3://bucket/x'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /file:\/\/\//.test(e.message));
});
