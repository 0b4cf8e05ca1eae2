/** Fills run counts (`[data-count-url]`) after the page is shown: over 100k runs a count costs more than the page. */
export function initCounts(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-count-url]')) {
    void fetch(el.dataset.countUrl ?? '', { credentials: 'same-origin' })
      .then((res) => (res.ok ? res.json() as Promise<{ count: number }> : Promise.reject(new Error(String(res.status)))))
      .then(({ count }) => {
        if (el.dataset.countFormat === 'pager') {
          const pager = el.closest<HTMLElement>('[data-pager]');
          const size = Number(pager?.dataset.pageSize ?? 50);
          const pages = Math.max(1, Math.ceil(count / size));
          el.textContent = ` of ${count.toLocaleString('en')} (${pages.toLocaleString('en')} page${pages === 1 ? '' : 's'})`;
        } else {
          el.textContent = count.toLocaleString('en');
        }
        el.dataset.count = String(count);
      }, () => { el.textContent = el.dataset.countFormat === 'pager' ? '' : '?'; });
  }
}
