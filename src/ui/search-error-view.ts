/** Shows a search error under the filter box: the message and the filter with a caret at the position. */
import { isTracklabError } from '../errors';
import { html, type Html } from './html';

export interface SearchProblem {
  readonly message: string;
  /** 0-based position in the filter, when the error names one. */
  readonly position: number | undefined;
}

/** The problem of a failed search, or undefined when the error was not about the query. */
export function searchProblem(err: unknown): SearchProblem | undefined {
  if (!isTracklabError(err, 'INVALID_PARAMETER_VALUE')) return undefined;
  const m = /at position (\d+)/.exec(err.message);
  // The message's own caret view repeats the filter; the page draws its own under the box.
  const headline = err.message.split('\n')[0];
  return { message: headline, position: m ? Number(m[1]) : undefined };
}

/** `action`, when given, follows the message: a way out, such as a link to the default order. */
export function searchErrorView(source: string, problem: SearchProblem, what: string, action?: Html): Html {
  const caret = problem.position === undefined
    ? ''
    : html`<pre data-position="${problem.position}">${source}\n${' '.repeat(Math.min(problem.position, source.length))}<span class="caret">^</span></pre>`;
  return html`<div class="filter-error" role="alert" data-testid="${what}-error">${problem.message}${caret}${action ?? ''}</div>`;
}
