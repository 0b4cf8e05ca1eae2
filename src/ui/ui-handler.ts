/**
 * `createUiHandler`: tracklab's web UI as one mountable request handler. It
 * reads and writes only through the public TrackingClient and
 * RegistryClient, so it works on any store the client opens. Its routes stay
 * out of `/api/2.0/` and `/ajax-api/`, where the tracking server mounts
 * MLflow's REST API beside it.
 *
 *   /                                experiments
 *   /experiments/<id>                runs table (filter, order, columns, page in the query)
 *   /runs/<id>                       one run (?artifact=<path>, chart state)
 *   /compare?run=a&run=b             comparison
 *   /models, /models/<name>, /models/<name>/versions/<v>
 *   /static/...                      style sheet, Vega builds, browser modules
 *   /ui-api/...                      chart specs, artifact bytes, live events, changes (POST)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTracklabError } from '../errors';
import { singleHost } from '../http/request-host';
import { pathUrl, routedPath } from '../http/request-target';
import type { RegistryClient } from '../registry/registry-client';
import type { TrackingClient } from '../tracking/client';
import { serveAsset } from './assets';
import { changeFor, readOnlyError } from './changes';
import { ChartApi, forBrowser } from './chart-api';
import { html, type Html } from './html';
import { readJsonBody, sendHtml, sendJson, sendText, statusOf } from './http';
import { emptyState, page, type PageContext } from './layout';
import { LiveHub } from './live';
import { readLifecycle } from './lifecycle';
import { serveArtifact } from './artifact-route';
import { comparePage } from './pages/compare-page';
import { experimentsPage } from './pages/experiments-page';
import { modelPage, modelsPage, versionPage } from './pages/models-page';
import { runPage } from './pages/run-page';
import { figureMode, inertFigure } from './pages/artifact-preview';
import { runsPage } from './pages/runs-page';
import { CsrfGuard, isAllowedHost } from './security';

export interface UiOptions {
  readonly client: TrackingClient;
  readonly registry?: RegistryClient;
  /** Refuse every change (notes, tags, aliases, descriptions). */
  readonly readOnly?: boolean;
  /**
   * Host header values to answer, e.g. ['127.0.0.1:5000', 'localhost:5000']; an entry without a port allows any port.
   * Or a predicate: the tracking server, which mounts this handler, passes its own Host check.
   */
  readonly allowedHosts: readonly string[] | ((host: string | undefined) => boolean);
  /** How often live streams read the store, in ms. Default 1000. */
  readonly pollMs?: number;
  /**
   * Set when the UI is served to other machines (the tracking server mounts it): error pages then name
   * no server folder (this takes them out of messages) and a server failure (INTERNAL_ERROR) shows only
   * the generic message. `tracklab ui`, for its local user, shows the whole message.
   */
  readonly redactErrors?: (message: string) => string;
}

export interface UiHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Ends open live streams. */
  close(): void;
}

/**
 * @example
 * const ui = createUiHandler({ client, registry, allowedHosts: defaultAllowedHosts(5000) });
 * http.createServer(ui).listen(5000, '127.0.0.1');
 */
export function createUiHandler(options: UiOptions): UiHandler {
  const csrf = new CsrfGuard();
  const ctx: PageContext = { csrf: csrf.token, readOnly: options.readOnly === true };
  const charts = new ChartApi(options.client, options.registry);
  const live = new LiveHub(options.client, options.pollMs ?? 1000);
  const { client, registry } = options;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = routedPath(req.url);
    if (target === undefined) return sendText(res, 400, 'Malformed request target.');
    const url = pathUrl(target);
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return sendText(res, 400, 'Malformed path.');
    }
    const q = url.searchParams;
    const method = req.method ?? 'GET';

    if (method === 'POST') {
      if (parts[0] !== 'ui-api') return sendText(res, 404, 'Not found.');
      const refusal = csrf.refusal(req);
      if (refusal) return sendJson(res, 403, { error_code: 'PERMISSION_DENIED', message: refusal });
      if (ctx.readOnly) return sendJson(res, 403, { error_code: 'PERMISSION_DENIED', message: readOnlyError().message });
      const change = changeFor(parts.slice(1), client, registry);
      if (!change) return sendJson(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No such change.' });
      await change(await readJsonBody(req));
      return sendJson(res, 200, { ok: true });
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
      return;
    }

    if (parts[0] === 'static') {
      if (serveAsset(parts.slice(1).join('/'), req, res)) return;
      return sendText(res, 404, 'No such asset.');
    }
    if (parts[0] === 'ui-api') return api(parts.slice(1), q, req, res);

    let body: Html | undefined;
    if (parts.length === 0) body = await experimentsPage(ctx, client, q);
    else if (parts[0] === 'experiments' && parts.length === 2) body = await runsPage(ctx, client, parts[1], q);
    else if (parts[0] === 'runs' && parts.length === 2) body = await runPage(ctx, client, parts[1], q);
    else if (parts[0] === 'compare' && parts.length === 1) body = await comparePage(ctx, client, q);
    else if (parts[0] === 'models' && registry) {
      if (parts.length === 1) body = await modelsPage(ctx, registry);
      else if (parts.length === 2) body = await modelPage(ctx, registry, client, parts[1], q);
      else if (parts.length === 4 && parts[2] === 'versions') body = await versionPage(ctx, registry, client, parts[1], parts[3]);
    }
    if (!body) return sendHtml(res, 404, errorPage(404, 'There is no page at this address.'));
    sendHtml(res, 200, body);
    if (parts[0] === 'runs') charts.warm(parts[1]);
  }

  async function api(parts: readonly string[], q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (parts[0] === 'runs' && parts.length === 3 && parts[2] === 'chart') return sendJson(res, 200, forBrowser(await charts.runChart(parts[1], q)));
    if (parts[0] === 'runs' && parts.length === 3 && parts[2] === 'artifact') return serveArtifact(client, parts[1], q, res);
    if (parts[0] === 'runs' && parts.length === 3 && parts[2] === 'figure') {
      const bytes = await client.openArtifact(parts[1], q.get('path') ?? '');
      let spec: unknown;
      try {
        spec = JSON.parse(bytes.toString('utf8'));
      } catch {
        spec = undefined;
      }
      if (!figureMode(spec)) return sendJson(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'This artifact is not a Vega or Vega-Lite spec.' });
      return sendJson(res, 200, inertFigure(spec));
    }
    if (parts[0] === 'compare' && parts[1] === 'chart') return sendJson(res, 200, forBrowser(await charts.compareChart(q)));
    if (parts[0] === 'model-chart' && parts.length === 2) return sendJson(res, 200, forBrowser(await charts.modelChart(parts[1], q)));
    if (parts[0] === 'events' && parts[1] === 'run' && parts.length === 3) {
      await client.getRun(parts[2]);
      return live.runStream(parts[2], req, res);
    }
    if (parts[0] === 'events' && parts[1] === 'runs') return live.tableStream(q, req, res);
    if (parts[0] === 'count' && parts.length === 1) {
      const filter = q.get('filter') ?? '';
      const lifecycle = readLifecycle(q);
      if (lifecycle.bad !== undefined) return sendJson(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: `lifecycle must be active, deleted or all, got "${lifecycle.bad}".` });
      return sendJson(res, 200, { count: await client.countRuns({ experiments: [q.get('experiment') ?? ''], filter: filter.trim() ? filter : undefined, viewType: lifecycle.viewType }) });
    }
    sendJson(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No such endpoint.' });
  }

  function errorPage(status: number, message: string): Html {
    return page(ctx, { title: String(status), section: 'experiments', body: html`<h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1>${emptyState(message)}<p><a href="/">Back to experiments</a></p>` });
  }

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    const host = singleHost(req); // undefined when Host is repeated: refused
    const allowed = typeof options.allowedHosts === 'function' ? options.allowedHosts(host) : isAllowedHost(host, options.allowedHosts);
    if (!allowed) {
      // DNS rebinding: a page on another name must not read this server.
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Forbidden: this Host is not allowed. Open the UI at the address `tracklab ui` printed.');
      return;
    }
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      const status = statusOf(err);
      const shown = isTracklabError(err) && !(options.redactErrors !== undefined && err.code === 'INTERNAL_ERROR');
      const message = shown ? (options.redactErrors ?? ((m: string) => m))(err.message) : 'Internal error; see the server log.';
      if (!shown) console.error(err);
      const wantsJson = (routedPath(req.url) ?? '').startsWith('/ui-api/');
      if (wantsJson) sendJson(res, status, { error_code: isTracklabError(err) ? err.code : 'INTERNAL_ERROR', message });
      else sendHtml(res, status, errorPage(status, message));
    });
  }) as UiHandler;
  handler.close = () => live.close();
  return handler;
}
