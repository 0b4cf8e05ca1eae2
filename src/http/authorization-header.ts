/**
 * The credentials a tracklab client sends to a tracking server, from the
 * environment: `TRACKLAB_TRACKING_TOKEN` as a Bearer token, else
 * `TRACKLAB_TRACKING_USERNAME` and `TRACKLAB_TRACKING_PASSWORD` as HTTP
 * Basic (UTF-8, RFC 7617). Undefined when none are set.
 *
 * @example
 * const auth = authorizationHeader(process.env);
 * await fetch(url, { headers: auth === undefined ? {} : { authorization: auth } });
 */
import { TracklabError } from '../errors';

export const TRACKING_TOKEN_ENV = 'TRACKLAB_TRACKING_TOKEN';
export const TRACKING_USERNAME_ENV = 'TRACKLAB_TRACKING_USERNAME';
export const TRACKING_PASSWORD_ENV = 'TRACKLAB_TRACKING_PASSWORD';

export function authorizationHeader(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const token = env[TRACKING_TOKEN_ENV];
  if (token !== undefined && token !== '') {
    if (!/^[\w.~+/-]+=*$/.test(token)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `${TRACKING_TOKEN_ENV} is not a token (it has spaces or other characters a token never has); paste the secret \`tracklab server\` gave when the token was created.`);
    }
    return `Bearer ${token}`;
  }
  const username = env[TRACKING_USERNAME_ENV] || undefined;
  const password = env[TRACKING_PASSWORD_ENV] || undefined;
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Set both ${TRACKING_USERNAME_ENV} and ${TRACKING_PASSWORD_ENV}, or ${TRACKING_TOKEN_ENV}, to sign in to the tracking server.`);
  }
  if (username.includes(':')) throw new TracklabError('INVALID_PARAMETER_VALUE', `${TRACKING_USERNAME_ENV} may not contain ":" (HTTP Basic separates the name from the password with it).`);
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
