/**
 * `tracklab runs` over several experiments, as a real process on every
 * backend: without -e (or with several) the table names each run's
 * experiment; with one -e it has no such column; --json gives each run's
 * experiment id and name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCliProcess } from '../support/cli-io';
import { testStores } from '../support/test-stores';

for (const kind of testStores()) {
  describe(`tracklab runs on ${kind.name}`, { skip: kind.skip }, () => {
    test('names each run\'s experiment when runs of several experiments are listed', async () => {
      const store = kind.create();
      try {
        const client = store.client();
        const ids: Record<string, string> = {};
        for (const experiment of ['alpha', 'beta']) {
          const { runId } = await client.createRun({ experiment, name: `${experiment}-run` });
          await client.setTerminated(runId);
          ids[experiment] = (await client.getExperiment(experiment)).experimentId;
        }
        await client.close();
        const tracklab = async (args: readonly string[]) => {
          const r = await runCliProcess(['--tracking-uri', store.uri, '--artifact-root', store.artifactRoot, 'runs', ...args], { TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '' });
          assert.equal(r.code, 0, r.stderr);
          return r.stdout;
        };

        const all = (await tracklab([])).split('\n');
        assert.match(all[0]!, /^run_id +name +experiment +status +started/);
        assert.match(all.find((l) => l.includes('alpha-run'))!, /alpha-run +alpha +FINISHED/);
        assert.match(all.find((l) => l.includes('beta-run'))!, /beta-run +beta +FINISHED/);
        assert.match((await tracklab(['-e', 'alpha', '-e', 'beta'])).split('\n')[0]!, / experiment /);

        const one = await tracklab(['-e', 'alpha']);
        assert.match(one, /alpha-run/);
        assert.doesNotMatch(one.split('\n')[0]!, /experiment/, 'one experiment asked for: no column to repeat it');

        const json = JSON.parse(await tracklab(['--json'])) as { runs: { info: { runName: string; experimentId: string }; experimentName: string }[] };
        assert.deepEqual(json.runs.map((r) => [r.info.runName, r.info.experimentId, r.experimentName]).sort(),
          [['alpha-run', ids.alpha, 'alpha'], ['beta-run', ids.beta, 'beta']]);
      } finally {
        await store.cleanup();
      }
    });
  });
}
