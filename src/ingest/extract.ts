/**
 * One pass over a parsed record's top-level keys, picking the fields normalization needs whatever
 * their casing: PascalCase (Management API, Search-UnifiedAuditLog AuditData), lowerCamel (Graph
 * auditLogRecord) and lower-case keys all land in the same slots. No per-record regex or cloning:
 * normalization runs at import rates of 100,000+ records/s.
 */
export interface Extracted {
  id: unknown;
  creationTime: unknown;
  /** AIP records carry CreationDate instead of CreationTime (schema.md quirk 14). */
  creationDate: unknown;
  recordType: unknown;
  operation: unknown;
  workload: unknown;
  userId: unknown;
  userType: unknown;
  objectId: unknown;
  resultStatus: unknown;
  organizationId: unknown;
  logonError: unknown;
  errorCode: unknown;
  /** Client address candidates in preference order (schema.md quirk 4). */
  clientIp: unknown;
  clientIpAddress: unknown;
  actorIpAddress: unknown;
  userIp: unknown;
  senderIp: unknown;
  userAgent: unknown;
  /** Entra sign-ins carry the user agent here instead (Name/Value array). */
  extendedProperties: unknown;
  appId: unknown;
  clientAppId: unknown;
  logonType: unknown;
  /** Graph auditLogRecord's auditData; a Search-UnifiedAuditLog output row's AuditData. */
  auditData: unknown;
  userPrincipalName: unknown;
}

export function emptyExtracted(): Extracted {
  return {
    id: undefined,
    creationTime: undefined,
    creationDate: undefined,
    recordType: undefined,
    operation: undefined,
    workload: undefined,
    userId: undefined,
    userType: undefined,
    objectId: undefined,
    resultStatus: undefined,
    organizationId: undefined,
    logonError: undefined,
    errorCode: undefined,
    clientIp: undefined,
    clientIpAddress: undefined,
    actorIpAddress: undefined,
    userIp: undefined,
    senderIp: undefined,
    userAgent: undefined,
    extendedProperties: undefined,
    appId: undefined,
    clientAppId: undefined,
    logonType: undefined,
    auditData: undefined,
    userPrincipalName: undefined,
  };
}

/**
 * Fills `into` from `record`; a slot already filled is kept (so an AuditData object can be read first
 * and its Graph envelope second, as a fallback). `graph` also reads the envelope's own names
 * (createdDateTime, auditLogRecordType, service, userPrincipalName, auditData).
 */
export function extractFields(record: Record<string, unknown>, into: Extracted, graph: boolean): Extracted {
  for (const key in record) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    const slot = slotFor(key.toLowerCase(), graph);
    if (slot && into[slot] === undefined) into[slot] = value;
  }
  return into;
}

function slotFor(key: string, graph: boolean): keyof Extracted | undefined {
  switch (key) {
    case 'id':
      return 'id';
    case 'creationtime':
      return 'creationTime';
    case 'creationdate':
      return 'creationDate';
    case 'recordtype':
      return 'recordType';
    case 'operation':
      return 'operation';
    case 'workload':
      return 'workload';
    case 'userid':
      return 'userId';
    case 'usertype':
      return 'userType';
    case 'objectid':
      return 'objectId';
    case 'resultstatus':
      return 'resultStatus';
    case 'organizationid':
      return 'organizationId';
    case 'logonerror':
      return 'logonError';
    case 'errorcode':
    case 'errornumber':
      return 'errorCode';
    case 'clientip':
      return 'clientIp';
    case 'clientipaddress':
      return 'clientIpAddress';
    case 'actoripaddress':
      return 'actorIpAddress';
    case 'userip':
      return 'userIp';
    case 'senderip':
      return 'senderIp';
    case 'useragent':
      return 'userAgent';
    case 'extendedproperties':
      return 'extendedProperties';
    case 'appid':
      return 'appId';
    case 'clientappid':
      return 'clientAppId';
    case 'logontype':
      return 'logonType';
    case 'auditdata':
      return 'auditData';
    default:
      return graph ? graphSlot(key) : undefined;
  }
}

function graphSlot(key: string): keyof Extracted | undefined {
  switch (key) {
    case 'createddatetime':
      return 'creationTime';
    case 'auditlogrecordtype':
      return 'recordType';
    case 'service':
      return 'workload';
    case 'userprincipalname':
      return 'userPrincipalName';
    default:
      return undefined;
  }
}
