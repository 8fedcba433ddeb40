import iconv from 'iconv-lite';

/**
 * Small generated audit files for the import end-to-end tests: every layout issue 2 §4 names
 * (schema.md "CSV exports and other transports"), built from realistic records so each test only
 * says what differs.
 */
export const ORG = '4b1f7c2e-5a3d-4e8f-9c10-2d3e4f5a6b7c';

/** A SharePoint file record; `i` makes the Id and time unique, overrides change a few fields. */
export function record(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CreationTime: `2024-05-23T15:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
    Id: `a0b1c2d3-0000-4000-8000-${String(i).padStart(12, '0')}`,
    Operation: 'FileAccessed',
    OrganizationId: ORG,
    RecordType: 6,
    UserKey: 'i:0h.f|membership|10032000ab12cd34@live.com',
    UserType: 0,
    Version: 1,
    Workload: 'SharePoint',
    ClientIP: '203.0.113.9:63070',
    ObjectId: `https://contoso.sharepoint.com/sites/Finance/Shared Documents/report ${i}.xlsx`,
    UserId: 'Alice.Smith@Contoso.com',
    UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    ...overrides,
  };
}

/** Ids of records `from`..`to` inclusive. */
export function ids(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(record(i).Id as string);
  return out;
}

export const json = (r: Record<string, unknown>): string => JSON.stringify(r);

/** An RFC 4180 cell: quoted, inner quotes doubled (how Purview and Export-Csv write AuditData). */
export function cell(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** The classic export: `CreationDate,UserIds,Operations,AuditData`, locale-formatted dates. */
export function classicCsv(records: Record<string, unknown>[], eol = '\r\n'): string {
  const rows = records.map((r) =>
    [cell('5/23/2024 3:10:01 PM'), cell(String(r.UserId)), cell(String(r.Operation)), cell(json(r))].join(','),
  );
  return ['CreationDate,UserIds,Operations,AuditData', ...rows].join(eol) + eol;
}

/** The new Purview export: `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames`. */
export function purviewCsv(records: Record<string, unknown>[], eol = '\n'): string {
  const head =
    'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames';
  const rows = records.map((r) =>
    [r.Id, '2024-05-23T15:10:01.0000000Z', r.RecordType, r.Operation, r.UserId, cell(json(r)), '', ''].join(','),
  );
  return [head, ...rows].join(eol) + eol;
}

/** `Search-UnifiedAuditLog | Export-Csv` (Windows PowerShell): a #TYPE line, every cell quoted, CRLF, UTF-16LE with BOM. */
export function exportCsvUtf16(records: Record<string, unknown>[]): Buffer {
  const head = [
    'RunspaceId',
    'RecordType',
    'CreationDate',
    'UserIds',
    'Operations',
    'AuditData',
    'ResultIndex',
    'ResultCount',
    'Identity',
    'IsValid',
    'ObjectState',
  ];
  const rows = records.map((r, n) =>
    [
      '6a1b2c3d-0000-4000-8000-000000000001',
      'SharePointFileOperation',
      '23/05/2024 15:10:01',
      String(r.UserId),
      String(r.Operation),
      json(r),
      String(n + 1),
      String(records.length),
      String(r.Id),
      'True',
      'Unchanged',
    ]
      .map(cell)
      .join(','),
  );
  const text =
    [
      '#TYPE Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord',
      head.map(cell).join(','),
      ...rows,
    ].join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]);
}

/** A Graph `auditLogRecord` page (`{"value": [...]}`), auditData inside each element. */
export function graphPage(records: Record<string, unknown>[]): string {
  const value = records.map((r) => ({
    id: r.Id,
    createdDateTime: `${String(r.CreationTime)}Z`,
    auditLogRecordType: 'sharePointFileOperation',
    operation: r.Operation,
    service: r.Workload,
    userPrincipalName: r.UserId,
    organizationId: ORG,
    auditData: r,
  }));
  return JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/beta/$metadata#auditLogRecords', value });
}
