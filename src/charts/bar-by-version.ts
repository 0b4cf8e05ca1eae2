import { baseConfig } from './palette';
import { roundSig, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';

/** One registered model version and its value of the chosen metric. */
export interface VersionPoint {
  readonly version: number;
  /** null when the version's source run has no such metric. */
  readonly value: number | null;
  readonly aliases: readonly string[];
}

/**
 * A metric across the versions of one registered model, one bar per version
 * in version order, aliased versions darker with `@alias` written above the
 * bar. Aliases are data values, never field names or expressions.
 *
 * @example
 * const spec = barByVersionSpec('churn-model', 'val_auc', [{ version: 1, value: 0.81, aliases: [] }, { version: 2, value: 0.84, aliases: ['champion'] }]);
 */
export function barByVersionSpec(
  modelName: string,
  metric: string,
  versions: readonly VersionPoint[],
  options: { width?: number; height?: number } = {},
): VegaLiteSpec {
  const sorted = [...versions].sort((a, b) => a.version - b.version).slice(-50);
  const rows = sorted.map((v) => ({
    version: `v${v.version}`,
    value: v.value !== null && Number.isFinite(v.value) ? roundSig(v.value) : null,
    alias: v.aliases.map((a) => `@${a}`).join(' '),
    aliased: v.aliases.length > 0 ? 'aliased' : 'plain',
  }));
  const x = { field: 'version', type: 'ordinal', title: 'version', scale: { domain: rows.map((r) => r.version) }, axis: { labelAngle: 0 } };
  const hidden = versions.length - sorted.length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: `${modelName}: ${metric} by version`, ...(hidden > 0 ? { subtitle: `latest ${sorted.length} of ${versions.length} versions` } : {}) },
    width: options.width ?? Math.max(200, Math.min(640, 48 * rows.length)),
    height: options.height ?? 220,
    data: { values: rows },
    encoding: { x, y: { field: 'value', type: 'quantitative', title: metric } },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          color: { field: 'aliased', type: 'nominal', scale: { domain: ['aliased', 'plain'], range: ['#4c78a8', '#a5c0de'] }, legend: null },
          tooltip: [
            { field: 'version', type: 'ordinal', title: 'version' },
            { field: 'value', type: 'quantitative', title: metric, format: '.4~g' },
            { field: 'alias', type: 'nominal', title: 'aliases' },
          ],
        },
      },
      {
        mark: { type: 'text', dy: -6, baseline: 'bottom', fontSize: 11, fontWeight: 'bold', color: '#333' },
        encoding: { text: { field: 'alias', type: 'nominal' } },
      },
    ],
    config: baseConfig,
  };
}
