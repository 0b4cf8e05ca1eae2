/** Entry module of every UI page: each feature wires itself only where its markup is present. */
import { drawAll, initChartControls } from './charts.js';
import { initCounts } from './counts.js';
import { initEdits } from './edits.js';
import { initRunLive } from './run-live.js';
import { initRunsTable } from './runs-table.js';

initCounts();
initEdits();
initRunsTable();
initChartControls();
initRunLive();
void drawAll().then(() => document.body.setAttribute('data-charts', 'drawn'));
