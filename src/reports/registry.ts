import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { adminActivity } from './admin-activity/report.js';
import { executeReport, type ReportCallOptions } from './engine.js';
import type { JsonSchema, ReportDefinition, ReportDeps, ReportInfo, ReportResult } from './types.js';
import { userActivity } from './user-activity/report.js';
import { inboxRules } from './inbox-rules/report.js';
import { mailboxAccess } from './mailbox-access/report.js';
import { externalSharing } from './external-sharing/report.js';
import { signIns } from './sign-ins/report.js';
import { auditTampering } from './audit-tampering/report.js';
import { appConsent } from './app-consent/report.js';
import { massFileActivity } from './mass-file-activity/report.js';

/** Every report, in the order `report list` and the console show them. */
export const REPORTS: readonly ReportDefinition[] = [
  adminActivity,
  userActivity,
  inboxRules,
  mailboxAccess,
  externalSharing,
  signIns,
  auditTampering,
  appConsent,
  massFileActivity,
];

export function listReports(): ReportInfo[] {
  return REPORTS.map((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    // zod writes a plain object schema for these parameter objects; JsonSchema names the keywords read.
    parameters: z.toJSONSchema(r.parameters, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
  }));
}

export function findReport(id: string): ReportDefinition {
  const def = REPORTS.find((r) => r.id === id.toLowerCase());
  if (!def) {
    throw new AppError('UNKNOWN_REPORT', `There is no report "${id.slice(0, 100)}"`, {
      hint: `Reports: ${REPORTS.map((r) => r.id).join(', ')} (tenantwatch report list)`,
    });
  }
  return def;
}

/** The entry point the CLI and the HTTP API use: UNKNOWN_REPORT, BAD_INPUT/BAD_TIME, or the result. */
export async function runReport(
  id: string,
  rawParams: Record<string, unknown>,
  deps: ReportDeps,
  options: ReportCallOptions = {},
): Promise<ReportResult> {
  return executeReport(findReport(id), rawParams, deps, options);
}
