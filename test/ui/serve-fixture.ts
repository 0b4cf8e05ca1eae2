/** Manual look: `node dist/test/ui/serve-fixture.js` builds the fixture store and serves the UI until Ctrl-C. */
import { startUiServer } from '../../src/ui/start-ui-server';
import { buildUiFixture } from './ui-fixtures';

if (require.main === module) {
  void (async () => {
    const f = await buildUiFixture();
    const { url } = await startUiServer({ client: f.client, registry: f.registry, port: Number(process.env.PORT ?? 0) });
    console.log(JSON.stringify({ url, home: f.home, experimentId: f.experimentId, runIds: f.runIds, artifactRunId: f.artifactRunId, parentRunId: f.parentRunId }));
  })();
}
