/**
 * `npm run bench`: every figure next to a baseline measured in the same run,
 * written to bench/results.json. Figures are ratios and targets, never unit
 * tests: these shared 2-core machines are too noisy for timed assertions.
 */
import * as path from 'node:path';
import { loadAverage, Report } from './report';
import { ingest, memory, runsAndSearch } from './tracking-bench';
import { newUser, newUserPostgres } from './new-user-bench';
import { comparisonBuild, trackedCellOverhead } from './notebook-bench';
import { autologOverhead } from './autolog-bench';
import { systemMetricsOverhead } from './system-metrics-bench';
import { driverChoice } from './pg-driver-bench';
import { postgres, postgresReads, postgresRuns } from './postgres-bench';
import { uiBench } from './ui-bench';
import { server } from './server-bench';
import { serverAuth } from './server-auth-bench';

const sections: Record<string, (report: Report) => Promise<void>> = {
  ingest, runs: runsAndSearch, 'new-user': newUser, memory,
  compare: comparisonBuild, cell: trackedCellOverhead, autolog: autologOverhead, sysmetrics: systemMetricsOverhead, postgres, 'new-user-pg': newUserPostgres, ui: uiBench, server, 'server-auth': serverAuth,
};
/** Run only when named: how the PostgreSQL driver was chosen (`npm run bench drivers`), PostgreSQL's read or run-creation figures alone. */
const onRequest: Record<string, (report: Report) => Promise<void>> = { drivers: driverChoice, 'postgres-reads': postgresReads, 'postgres-runs': postgresRuns };

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const report = new Report();
  for (const [name, section] of Object.entries({ ...sections, ...onRequest })) {
    if (only.length ? !only.includes(name) : name in onRequest) continue;
    console.log(`\n# ${name} (load average ${loadAverage()})`);
    await section(report);
  }
  const file = path.join(__dirname, '..', '..', 'bench', 'results.json');
  const { failed } = report.write(file);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}${failed ? ` — ${failed} figure(s) missed their target` : ''}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
