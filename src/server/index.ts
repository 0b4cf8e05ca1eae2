export { startTrackingServer, DEFAULT_MAX_BODY_BYTES, type TrackingServer, type TrackingServerOptions, type RequestLogEntry } from './tracking-server';
export { routes, API_PREFIX } from './routes';
