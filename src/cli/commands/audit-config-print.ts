import { terminalLines } from '../../core/terminal.js';
import type { EnableOutcome } from '../../posture/service.js';
import type { PlanStep, PostureResult, StepResult, StepStatus } from '../../posture/types.js';
import { countOf } from '../output.js';

type Out = NodeJS.WritableStream;

const yesNo = (v: boolean | null, yes: string, no: string): string => (v === null ? '?' : v ? yes : no);
const MARK: Record<string, string> = { ok: 'OK', warning: 'WARNING', failing: 'FAILING', unknown: 'UNKNOWN' };
/**
 * A step as it ends: "done" there only means Exchange accepted the cmdlet. Whether it is in effect is the
 * re-check's to say, and a UAL switch is not for up to 60 minutes: printed DONE, it was then counted
 * "0 applied, 1 pending" two lines below.
 */
const STEP_MARK: Record<StepStatus, string> = {
  done: 'ACCEPTED',
  failed: 'FAILED',
  skipped: 'SKIPPED',
  pending: 'PENDING',
  unconfirmed: 'NO REPLY',
};

/** Per tenant: the verdict line, then each finding with its fix; then a summary across tenants. */
export function printResults(out: Out, results: PostureResult[]): void {
  for (const r of results) {
    const mb = r.mailboxes ? `${r.mailboxes.auditEnabled}/${r.mailboxes.total} mailboxes audited` : 'mailboxes ?';
    say(
      out,
      `${r.tenant} (${r.tenantId}): ${MARK[r.verdict]} — unified audit log ${yesNo(r.ualEnabled, 'on', 'OFF')}, ` +
        `org mailbox auditing ${yesNo(r.orgAuditDisabled === null ? null : !r.orgAuditDisabled, 'on', 'OFF')}, ${mb}` +
        `${r.dehydrated ? ', dehydrated' : ''}, newest record ${r.newestRecord ?? 'none'}\n`,
    );
    for (const f of r.findings) {
      say(out, `  ${f.severity.padEnd(7)} ${f.code}: ${f.message}\n`);
      if (f.fix) say(out, `          fix: ${f.fix}\n`);
    }
  }
  const count = (v: string): number => results.filter((r) => r.verdict === v).length;
  say(
    out,
    `\n${results.length} tenant${results.length === 1 ? '' : 's'}: ${count('ok')} ok, ${count('warning')} warning, ${count('failing')} failing${count('unknown') ? `, ${count('unknown')} could not be checked` : ''}\n`,
  );
}

/** Prints the plan when made, each step as it ends, and the result of the re-check. */
export function printOutcome(out: Out, part: { plan?: PlanStep[]; step?: StepResult; outcome?: EnableOutcome }): void {
  if (part.plan) {
    if (!part.plan.length) {
      say(out, 'Nothing to do: auditing is already on as asked.\n');
      return;
    }
    const mailboxes = part.plan.filter((s) => s.kind === 'mailbox').length;
    const changes = part.plan.length;
    say(out, `Plan (${countOf(changes, 'change')}${mailboxes ? `, ${countOf(mailboxes, 'mailbox')}` : ''}):\n`);
    for (const s of part.plan) say(out, `  - ${s.kind === 'mailbox' ? s.target + ': ' : ''}${s.description}\n`);
  }
  if (part.step) {
    const s = part.step;
    say(
      out,
      `  ${STEP_MARK[s.status].padEnd(8)} ${s.step.cmdlet} ${s.step.target}${s.message ? ` — ${s.message}` : ''}\n`,
    );
  }
  const o = part.outcome;
  if (!o) return;
  if (o.dryRun) {
    say(out, o.plan.length ? 'Dry run: nothing was changed.\n' : '');
    return;
  }
  if (!o.results.length) return;
  const n = (status: string): number => o.results.filter((r) => r.status === status).length;
  say(
    out,
    `\nDone: ${n('done')} applied, ${n('pending')} pending (Microsoft applies them later), ${n('failed')} failed, ${n('skipped')} skipped${n('unconfirmed') ? `, ${n('unconfirmed')} unconfirmed (sent, no answer; later checks follow them)` : ''}.\n`,
  );
  for (const r of o.results.filter(
    (x) => x.status === 'failed' || x.status === 'pending' || x.status === 'unconfirmed',
  )) {
    say(out, `  ${r.status}: ${r.step.cmdlet} ${r.step.target}${r.message ? ` — ${r.message}` : ''}\n`);
  }
  if (o.after) {
    say(out, '\nAfter the changes:\n');
    printResults(out, [o.after]);
  }
}

/** Mailbox names and Microsoft's messages are not ours: shown without control characters (core/terminal.ts). */
function say(out: Out, text: string): void {
  out.write(terminalLines(text));
}
