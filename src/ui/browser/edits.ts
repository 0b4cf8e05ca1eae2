/** Change forms and delete buttons: JSON POSTs with the CSRF token, then a reload that shows the stored state. */
import { postChange, toast } from './dom.js';

export function initEdits(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-change]')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body: Record<string, string> = {};
      for (const [k, v] of new FormData(form)) body[k] = String(v);
      const button = form.querySelector('button');
      if (button) button.disabled = true;
      postChange(form.dataset.change ?? '', body).then(() => location.reload(), (err: Error) => {
        if (button) button.disabled = false;
        toast(err.message, true);
      });
    });
  }
  // Note and description editors open in place and take the focus; Cancel folds them back.
  for (const details of document.querySelectorAll<HTMLDetailsElement>('details.edit')) {
    details.addEventListener('toggle', () => { if (details.open) details.querySelector('textarea')?.focus(); });
    details.querySelector('button[data-cancel]')?.addEventListener('click', () => { details.open = false; });
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-delete]')) {
    button.addEventListener('click', () => {
      button.disabled = true;
      postChange(button.dataset.delete ?? '', { [button.dataset.field ?? 'key']: button.dataset.key ?? '' }).then(() => location.reload(), (err: Error) => {
        button.disabled = false;
        toast(err.message, true);
      });
    });
  }
}
