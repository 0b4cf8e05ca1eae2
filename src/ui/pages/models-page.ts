/** The model registry: registered models, one model with its versions and aliases, one version. */
import type { ModelVersion, RegisteredModel } from '../../registry-entities';
import type { RegistryClient } from '../../registry/registry-client';
import type { TrackingClient } from '../../tracking/client';
import { modelVersions } from '../chart-api';
import { html, seg, type Html } from '../html';
import { badge, emptyState, page, runLabel, time, type PageContext } from '../layout';

export async function modelsPage(ctx: PageContext, registry: RegistryClient): Promise<Html> {
  const models: RegisteredModel[] = [];
  let pageToken: string | undefined;
  do {
    const found = await registry.searchRegisteredModels({ maxResults: 1000, pageToken });
    models.push(...found.registeredModels);
    pageToken = found.nextPageToken;
  } while (pageToken !== undefined && models.length < 10_000);
  const body = html`<h1>Registered models</h1>
${models.length === 0 ? emptyState('No registered models yet. Register one with registry.registerModel(modelUri, name) or exportBest().') : html`
<div class="scroll"><table class="grid" data-models><thead><tr><th>Name</th><th class="num">Latest version</th><th>Aliases</th><th>Updated</th><th>Description</th></tr></thead><tbody>
${models.map((m) => html`<tr><td class="name"><a href="/models/${seg(m.name)}" title="${m.name}">${m.name}</a></td><td class="num">${m.latestVersion === null ? '—' : `v${m.latestVersion}`}</td>
<td>${m.aliases.map((a) => html`<span class="chip">@${a.alias} → v${a.version}</span>`)}</td><td>${time(m.lastUpdatedTime)}</td><td class="val" title="${m.description ?? ''}">${m.description ?? ''}</td></tr>`)}
</tbody></table></div>`}`;
  return page(ctx, { title: 'Models', section: 'models', body });
}

function descriptionEditor(ctx: PageContext, url: string, text: string | null): Html {
  return html`<div class="editable" data-description><div class="view" data-description-view>${text || html`<span class="muted">No description.</span>`}</div>
${ctx.readOnly ? '' : html`<details class="edit" data-edit-description><summary class="button">${text ? 'Edit description' : 'Add a description'}</summary>
<form data-change="${url}" class="note-form"><textarea name="description" aria-label="Description">${text ?? ''}</textarea><button type="submit" class="primary">Save description</button> <button type="button" data-cancel>Cancel</button></form></details>`}</div>`;
}

function tagEditor(ctx: PageContext, url: string, tags: Readonly<Record<string, string>>): Html {
  const entries = Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1));
  return html`<div class="tags" data-tags>${entries.length === 0 ? html`<span class="muted">No tags.</span>` : entries.map(([k, v]) => html`<span class="tag" data-tag="${k}"><b>${k}</b>: ${v}${ctx.readOnly ? '' : html`<button type="button" data-delete="${url}/tag-delete" data-key="${k}" aria-label="Remove tag ${k}">×</button>`}</span>`)}</div>
${ctx.readOnly ? '' : html`<form class="inline-form" data-change="${url}/tag"><input type="text" name="key" placeholder="key" aria-label="Tag key" required><input type="text" name="value" placeholder="value" aria-label="Tag value"><button type="submit">Add tag</button></form>`}`;
}

export async function modelPage(ctx: PageContext, registry: RegistryClient, client: TrackingClient, name: string, query: URLSearchParams): Promise<Html> {
  const model = await registry.getRegisteredModel(name);
  const versions = await modelVersions(registry, name);
  const runs = new Map(await Promise.all(versions.filter((v) => v.runId).map(async (v) => [v.runId as string, await client.getRun(v.runId as string).catch(() => undefined)] as const)));
  const metricKeys = [...new Set([...runs.values()].flatMap((r) => (r ? Object.keys(r.data.metrics) : [])))].sort();
  const metric = query.get('metric') && metricKeys.includes(query.get('metric') as string) ? query.get('metric') as string : metricKeys[0];
  const url = `/ui-api/models/${seg(name)}`;
  const ready = versions.filter((v) => v.status === 'READY');
  const versionSelect = (selected?: number) => html`<select name="version" aria-label="Version">${ready.map((v) => html`<option value="${v.version}" ${v.version === selected ? html`selected` : ''}>v${v.version}</option>`)}</select>`;
  const body = html`<div class="crumbs"><a href="/models">Models</a> /</div>
<h1>${model.name}</h1>
<div class="cols2"><section><h2>Description</h2>${descriptionEditor(ctx, `${url}/description`, model.description)}</section>
<section><h2>Tags</h2>${tagEditor(ctx, url, model.tags)}</section></div>
<h2>Aliases</h2>
${model.aliases.length === 0 ? emptyState('No aliases. Point one at a version so code can load models:/name@alias.') : html`
<table class="grid middle" data-aliases><thead><tr><th>Alias</th><th>Version</th>${ctx.readOnly ? '' : html`<th>Move</th><th></th>`}</tr></thead><tbody>
${model.aliases.map((a) => html`<tr data-alias="${a.alias}"><td><code>@${a.alias}</code></td><td><a href="/models/${seg(name)}/versions/${a.version}">v${a.version}</a></td>
${ctx.readOnly ? '' : html`<td><form class="inline-form" data-change="${url}/alias"><input type="hidden" name="alias" value="${a.alias}">${versionSelect(a.version)}<button type="submit">Move</button></form></td>
<td><button type="button" data-delete="${url}/alias-delete" data-key="${a.alias}" data-field="alias">Remove</button></td>`}</tr>`)}
</tbody></table>`}
${ctx.readOnly || ready.length === 0 ? '' : html`<form class="inline-form" data-change="${url}/alias" data-add-alias><input type="text" name="alias" placeholder="alias, e.g. champion" aria-label="New alias" required>${versionSelect(ready[0]?.version)}<button type="submit">Set alias</button></form>`}
<h2>Versions</h2>
${versions.length === 0 ? emptyState('No versions yet.') : html`<div class="scroll"><table class="grid" data-versions><thead><tr><th>Version</th><th>Status</th><th>Created</th><th>Source run</th><th>Aliases</th><th>Description</th></tr></thead><tbody>
${versions.map((v) => versionRow(name, v, v.runId ? runs.get(v.runId) : undefined))}</tbody></table></div>`}
<h2>Metric by version</h2>
${metric === undefined ? emptyState('The source runs of these versions have no metrics.') : html`
<form method="get" action="/models/${seg(name)}" class="inline-form"><label>Metric <select name="metric">${metricKeys.map((m) => html`<option value="${m}" ${m === metric ? html`selected` : ''}>${m}</option>`)}</select></label><button type="submit">Show</button></form>
<div class="card"><div class="chart" data-static data-spec-url="${url.replace('/ui-api/models/', '/ui-api/model-chart/')}?metric=${encodeURIComponent(metric)}" aria-label="${metric} by version"></div></div>`}`;
  return page(ctx, { title: model.name, section: 'models', body, charts: metric !== undefined });
}

function versionRow(name: string, v: ModelVersion, run: { info: { runId: string; runName: string } } | undefined): Html {
  return html`<tr data-version="${v.version}"><td><a href="/models/${seg(name)}/versions/${v.version}">v${v.version}</a></td><td>${badge(v.status)}</td><td>${time(v.creationTime)}</td>
<td class="name">${v.runId ? (run ? html`<a href="/runs/${seg(v.runId)}">${runLabel(run.info)}</a>` : html`<span class="muted" title="${v.runId}">deleted run</span>`) : html`<span class="muted">${v.source}</span>`}</td>
<td>${v.aliases.map((a) => html`<span class="chip">@${a}</span>`)}</td><td class="val" title="${v.description ?? ''}">${v.description ?? ''}</td></tr>`;
}

export async function versionPage(ctx: PageContext, registry: RegistryClient, client: TrackingClient, name: string, version: string): Promise<Html> {
  const v = await registry.getModelVersion(name, version);
  const run = v.runId ? await client.getRun(v.runId).catch(() => undefined) : undefined;
  const url = `/ui-api/models/${seg(name)}/versions/${v.version}`;
  const modelPath = /^runs:\/[^/]+\/(.+)$/.exec(v.source)?.[1];
  const body = html`<div class="crumbs"><a href="/models">Models</a> / <a href="/models/${seg(name)}">${name}</a> /</div>
<h1>${name} v${v.version}</h1>
<div class="cols2"><section><h2>Overview</h2><table class="kv">
<tr><th>Status</th><td>${badge(v.status)}${v.statusMessage ? html`<div class="status-message">${v.statusMessage}</div>` : ''}</td></tr>
<tr><th>Created</th><td>${time(v.creationTime)}</td></tr><tr><th>Updated</th><td>${time(v.lastUpdatedTime)}</td></tr>
<tr><th>Source</th><td><code>${v.source}</code></td></tr>
<tr><th>Source run</th><td>${v.runId ? (run ? html`<a href="/runs/${seg(v.runId)}">${runLabel(run.info)}</a>` : html`<span class="muted">${v.runId} (deleted)</span>`) : '—'}</td></tr>
${run && modelPath ? html`<tr><th>MLmodel</th><td><a href="/runs/${seg(run.info.runId)}?artifact=${encodeURIComponent(`${modelPath}/MLmodel`)}#artifacts">signature and flavors</a></td></tr>` : ''}
<tr><th>Aliases</th><td>${v.aliases.length ? v.aliases.map((a) => html`<span class="chip">@${a}</span>`) : '—'}</td></tr>
<tr><th>Load</th><td><code>loadModel('models:/${name}/${v.version}')</code></td></tr>
</table></section>
<section><h2>Description</h2>${descriptionEditor(ctx, `${url}/description`, v.description)}<h2>Tags</h2>${tagEditor(ctx, url, v.tags)}</section></div>`;
  return page(ctx, { title: `${name} v${v.version}`, section: 'models', body });
}
