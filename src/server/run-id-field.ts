/** The run a request names: `run_id`, or the deprecated `run_uuid` older clients send. */
import { TracklabError } from '../errors';
import { validateRunId } from '../validation';
import { serverMsg } from './messages';
import type { RequestFields } from './request-fields';

export function runIdOf(fields: RequestFields): string {
  const runId = fields.string('run_id') || fields.string('run_uuid');
  if (runId === undefined || runId === '') throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.missingField('run_id'));
  validateRunId(runId);
  return runId;
}
