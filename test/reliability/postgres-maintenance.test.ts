/**
 * backup and doctor on a PostgreSQL store: the database is the server's to
 * copy (backup refuses and names pg_dump, leaving nothing behind), while
 * doctor checks what tracklab owns there too: the artifact content against
 * its sha256, and runs stuck RUNNING.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';
import { freshDatabase, postgresSkip } from '../support/postgres-cluster';

describe('maintenance on PostgreSQL', { skip: postgresSkip() }, () => {
  test('backup refuses and names pg_dump; doctor finds damaged content and reports a healthy store as such', async () => {
    const db = freshDatabase();
    const artifactRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-pg-artifacts-'));
    const dest = path.join(os.tmpdir(), `tracklab-pg-backup-${process.pid}`);
    const client = new TrackingClient({ trackingUri: db.uri, artifactRoot });
    try {
      const run = await client.createRun({ experiment: 'team' });
      const [entry] = await client.logArtifact(run.runId, { text: 'weights' }, 'w.txt');
      await client.setTerminated(run.runId);

      await assert.rejects(client.backup(dest), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /pg_dump/.test(e.message));
      // pg_dump copies no artifacts: the refusal names the folder to copy too, and migrate-store, which copies both.
      await assert.rejects(client.backup(dest), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && e.message.includes(artifactRoot)
        && e.message.includes(`tracklab migrate-store --from <its URI> --from-artifact-root ${artifactRoot} --to ${dest}`));
      assert.equal(fs.existsSync(dest), false, 'nothing was made');

      const healthy = await client.doctor();
      assert.equal(healthy.healthy, true, JSON.stringify(healthy.findings));
      assert.equal(healthy.root, client.trackingUri, 'the report names the store by its masked URI');

      const blob = (await client.core.artifacts()).content.blobPath(entry!.sha256);
      fs.chmodSync(blob, 0o644);
      fs.writeFileSync(blob, 'tampered');
      const report = await client.doctor();
      assert.equal(report.healthy, false);
      assert.ok(report.findings.some((f) => JSON.stringify(f).includes(entry!.sha256)), JSON.stringify(report.findings));
    } finally {
      await client.close();
      db.drop();
      fs.rmSync(artifactRoot, { recursive: true, force: true });
    }
  });
});
