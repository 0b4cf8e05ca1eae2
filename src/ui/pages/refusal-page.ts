/**
 * The page a browser gets when the tracking server refuses a UI page (not
 * signed in, a missing permission, too many failed sign-ins): a headline and
 * the server's message, which says what to do. It is one self-contained
 * document: its style sheet and scripts would be refused the same way, and
 * each refused request could open the browser's sign-in prompt again.
 */
import { html, type Html } from '../html';

const HEADLINES: Readonly<Record<number, string>> = {
  401: 'Sign in to tracklab',
  403: 'Permission denied',
  429: 'Too many failed sign-ins',
};

export function refusalPage(status: number, message: string): Html {
  const headline = HEADLINES[status] ?? 'This request was refused';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${headline} · tracklab</title><link rel="icon" href="data:,">
</head><body>
<main><h1>${headline}</h1><p role="alert" data-testid="refusal">${message}</p></main>
</body></html>`;
}
