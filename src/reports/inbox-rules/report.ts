import { recordRow, field, text } from '../audit-data.js';
import { TenantDomains } from '../domains.js';
import { commonParams, flag } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { RULE_OPERATIONS, ruleFacts, type RuleFacts } from './facts.js';
import { meta } from './meta.js';
import { isMeaninglessName, isObscureFolder } from './rules.js';

const parameters = commonParams.extend({
  suspiciousOnly: flag(false, 'only rules and forwarding with at least one finding'),
});

export const inboxRules: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  async run(input, deps) {
    const domains = new TenantDomains(deps, input.period);
    const rows: ReportRow[] = [];
    let external = 0;
    for await (const record of scan(deps, baseQuery(input, { operations: RULE_OPERATIONS }))) {
      const facts = ruleFacts(record);
      if (!facts) continue;
      await domains.load(record.tenant);
      domains.learn(record, text(field(facts.data, 'OrganizationName')), text(field(facts.data, 'MailboxOwnerUPN')));
      const outside = [];
      for (const to of [...facts.forwardTo, ...facts.redirectTo])
        if (await domains.isExternal(record.tenant, to)) outside.push(to);
      const findings = findingsOf(facts, outside);
      if (input.params.suspiciousOnly && findings.length === 0) continue;
      if (outside.length) external++;
      input.count(record);
      rows.push(
        recordRow(record, {
          kind: facts.kind,
          rule: facts.name,
          mailbox: text(field(facts.data, 'MailboxOwnerUPN')) || record.objectId,
          forwardsTo: [...facts.forwardTo, ...facts.redirectTo].join('; '),
          external: outside.length > 0,
          findings: findings.join('; '),
        }),
      );
    }
    return { rows, totals: { forwardingOutside: external, flagged: rows.filter((r) => r.findings !== '').length } };
  },
};

function findingsOf(f: RuleFacts, outside: string[]): string[] {
  const out: string[] = [];
  const external = (list: string[]) => list.filter((a) => outside.includes(a));
  if (external(f.forwardTo).length)
    out.push(`forwards outside the organization to ${external(f.forwardTo).join(', ')}`);
  if (external(f.redirectTo).length)
    out.push(`redirects outside the organization to ${external(f.redirectTo).join(', ')}`);
  if (f.deletes) out.push('deletes messages');
  if (f.moveTo && isObscureFolder(f.moveTo)) out.push(`moves messages to ${f.moveTo}`);
  if (f.markAsRead) out.push('marks messages as read');
  if (isMeaninglessName(f.name)) out.push(`meaningless rule name "${f.name}"`);
  return out;
}
