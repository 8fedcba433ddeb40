import type { Outcome } from '../core/record.js';

/**
 * The outcome of the audited action, derived from more than ResultStatus (schema.md quirk 5):
 * - `UserLoginFailed` is a failure whatever ResultStatus says (STS writes "Success": the HTTP call worked).
 * - For STS logons (RecordType 15) a non-empty LogonError or a non-zero ErrorCode/ErrorNumber is a failure.
 * - ResultStatus, compared case-insensitively: Succeeded/Success/Successful/PartiallySucceeded/True → success;
 *   Failed/Failure/False → failure; Planner's numbers 1 → success, 2 and 3 → failure.
 * - No ResultStatus at all → success: a record is written for something that happened, and that is
 *   the convention of the Elastic and Sekoia parsers too. Any other value (InProgress, New…) → unknown.
 */
export interface OutcomeFacts {
  operation: string;
  recordType: number;
  resultStatus: string | null;
  logonError: unknown;
  errorCode: unknown;
}

const STATUS: Record<string, Outcome> = {
  succeeded: 'success',
  success: 'success',
  successful: 'success',
  partiallysucceeded: 'success',
  true: 'success',
  '1': 'success',
  failed: 'failure',
  failure: 'failure',
  false: 'failure',
  '2': 'failure',
  '3': 'failure',
};

const STS_LOGON = 15;

export function deriveOutcome(facts: OutcomeFacts): Outcome {
  if (facts.operation === 'UserLoginFailed') return 'failure';
  if (facts.recordType === STS_LOGON || facts.operation === 'UserLoggedIn') {
    if (typeof facts.logonError === 'string' && facts.logonError.trim() !== '') return 'failure';
    if (isNonZero(facts.errorCode)) return 'failure';
  }
  if (facts.resultStatus === null || facts.resultStatus.trim() === '') return 'success';
  return STATUS[facts.resultStatus.trim().toLowerCase()] ?? 'unknown';
}

function isNonZero(value: unknown): boolean {
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const text = value.trim();
    return text !== '' && Number(text) !== 0;
  }
  return false;
}
