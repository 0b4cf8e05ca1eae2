/**
 * MLflow's lifecycle filter (Active / Deleted / All) for the experiments list
 * and the runs table: read from `?lifecycle=`, drawn as three links so the
 * choice lives in the URL and Back/Forward step through it.
 */
import type { ViewType } from '../validation';
import { html, type Html } from './html';

export const LIFECYCLE_CHOICES: readonly { readonly value: ViewType; readonly label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'deleted', label: 'Deleted' },
  { value: 'all', label: 'All' },
];

export interface LifecycleChoice {
  readonly viewType: ViewType;
  /** The value asked for when it was not one of the choices (the page says so and shows Active). */
  readonly bad?: string;
}

/** `?lifecycle=` (any case); absent or empty is Active. */
export function readLifecycle(query: URLSearchParams): LifecycleChoice {
  const raw = query.get('lifecycle');
  if (raw === null || raw.trim() === '') return { viewType: 'active' };
  const found = LIFECYCLE_CHOICES.find((c) => c.value === raw.trim().toLowerCase());
  return found ? { viewType: found.value } : { viewType: 'active', bad: raw };
}

/** Three links, the current one marked; `hrefFor` keeps the rest of the page's state. */
export function lifecycleNav(current: ViewType, hrefFor: (v: ViewType) => string): Html {
  return html`<nav class="segmented" aria-label="Lifecycle">${LIFECYCLE_CHOICES.map((c) => c.value === current
    ? html`<a href="${hrefFor(c.value)}" aria-current="page">${c.label}</a>`
    : html`<a href="${hrefFor(c.value)}">${c.label}</a>`)}</nav>`;
}

export function lifecycleError(bad: string, what: 'experiments' | 'runs'): Html {
  return html`<div class="filter-error" role="alert" data-testid="lifecycle-error">There is no lifecycle "${bad}": choose Active, Deleted or All. Showing active ${what}.</div>`;
}

/** The mark beside a deleted experiment's or run's name. */
export function deletedMark(): Html {
  return html` <span class="badge DELETED" title="Deleted: its page gives the restore command">deleted</span>`;
}
