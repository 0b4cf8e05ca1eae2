export { createUiHandler, type UiHandler, type UiOptions } from './ui-handler';
export { defaultAllowedHosts, isAllowedHost, CSRF_HEADER } from './security';
