import { field, text } from '../../analysis/audit-data.js';
import { RECORD_COLUMNS, recordRow } from '../rows.js';
import { TenantDomains } from '../../analysis/domains.js';
import { commonParams, flag } from '../params.js';
import { baseQuery, scan } from '../query.js';
import type { ReportDefinition, ReportRow } from '../types.js';
import { ruleSigns } from '../../analysis/mail-rule-signs.js';
import { RULE_OPERATIONS, ruleFacts } from '../../analysis/mail-rules.js';
import { meta } from './meta.js';

const parameters = commonParams.extend({
  suspiciousOnly: flag(false, 'only rules and forwarding with at least one finding'),
});

export const inboxRules: ReportDefinition<typeof parameters> = {
  ...meta,
  parameters,
  columns: [...RECORD_COLUMNS, 'kind', 'rule', 'mailbox', 'forwardsTo', 'external', 'findings'],
  async run(input, deps) {
    const domains = new TenantDomains(deps.store, input.period);
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
      const findings = ruleSigns(facts, outside);
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
