/** The URL state of metric charts: x axis, smoothing and log scale, shared by the run and compare pages. */
import { html, type Html } from './html';

export interface ChartState {
  readonly x: 'step' | 'time';
  /** EMA weight in [0, 0.99]. */
  readonly smooth: number;
  readonly log: boolean;
}

export function readChartState(query: URLSearchParams): ChartState {
  const smooth = Number(query.get('smooth') ?? 0);
  return {
    x: query.get('x') === 'time' ? 'time' : 'step',
    smooth: Number.isFinite(smooth) ? Math.min(0.99, Math.max(0, Math.round(smooth * 100) / 100)) : 0,
    log: query.get('log') === '1',
  };
}

/** Controls that the browser module wires to the charts; their values mirror the URL. */
export function chartControls(state: ChartState): Html {
  return html`<div class="chart-controls" data-chart-controls>
<label>X axis <select name="x" data-control="x"><option value="step" ${state.x === 'step' ? html`selected` : ''}>step</option><option value="time" ${state.x === 'time' ? html`selected` : ''}>wall time</option></select></label>
<label>Smoothing <input type="range" min="0" max="0.99" step="0.01" value="${state.smooth}" data-control="smooth" aria-label="EMA smoothing"> <output data-smooth-value>${state.smooth.toFixed(2)}</output></label>
<label><input type="checkbox" data-control="log" ${state.log ? html`checked` : ''}> log scale</label>
</div>`;
}
