export { serveModel, startScoringServer, createScoringServer, DEFAULT_MAX_BODY_BYTES, type ServeOptions, type ServableModel } from './scoring-server';
export { parseInvocation, INPUT_FORMATS, type Invocation, type InputFormat } from './parse-request';
