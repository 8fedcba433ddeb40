/** An alert as an email: a subject with severity and title, a plain-text body with the facts and link. */
import type { AlertPayload } from '../alert.js';

export function alertMail(a: AlertPayload): { subject: string; text: string } {
  const lines = [
    a.title,
    '',
    ...(a.description ? [a.description, ''] : []),
    `Severity:   ${a.severity}`,
    `Tenant:     ${a.tenant}`,
    `First seen: ${new Date(a.firstSeen).toISOString()}`,
    `Last seen:  ${new Date(a.lastSeen).toISOString()}`,
    `Records:    ${a.recordIds.length}`,
    ...Object.entries(a.facts).map(([k, v]) => `${`${k}:`.padEnd(12)}${v}`),
    ...(a.link ? ['', a.link] : []),
    '',
    `Rule ${a.ruleId} · alert ${a.id}`,
  ];
  return { subject: `[tenantwatch] [${a.severity.toUpperCase()}] ${a.title}`.slice(0, 200), text: lines.join('\n') };
}
