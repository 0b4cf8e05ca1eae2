/** The Authorization header the remote store sends: a token (TRACKLAB_TRACKING_TOKEN), else basic credentials, else none. */
import { Env } from '../../env-names';

export function authorizationHeader(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env[Env.trackingToken];
  if (token) return `Bearer ${token}`;
  const user = env[Env.trackingUsername];
  return user ? `Basic ${Buffer.from(`${user}:${env[Env.trackingPassword] ?? ''}`).toString('base64')}` : undefined;
}
