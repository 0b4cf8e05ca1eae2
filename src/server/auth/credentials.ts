/**
 * Reads an Authorization header: HTTP Basic (RFC 7617, user name and
 * password in UTF-8) or a Bearer token (RFC 6750). Pure, so the parsing
 * rules are tested alone.
 */
export type Credentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

/** undefined for no header; 'malformed' for one that is neither form. */
export function parseAuthorization(header: string | undefined): Credentials | undefined | 'malformed' {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return 'malformed';
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!;
  if (scheme === 'bearer') return /^[\w.~+/-]+=*$/.test(value) ? { kind: 'bearer', token: value } : 'malformed';
  if (scheme !== 'basic' || !/^[A-Za-z0-9+/]+=*$/.test(value)) return 'malformed';
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return 'malformed';
  return { kind: 'basic', username: text.slice(0, colon), password: text.slice(colon + 1) };
}
