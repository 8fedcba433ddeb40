/**
 * Elasticsearch / OpenSearch bulk settings. Records go to the data stream of Elastic's o365
 * integration, `logs-o365.audit-<namespace>`; alerts to `logs-tenantwatch.alert-<namespace>`.
 * Credentials: an API key (`Authorization: ApiKey …`, the default) or `user:password` (basic).
 */
import { AppError } from '../../core/errors.js';
import type { SinkRow } from '../../core/sink.js';
import { int, sinkUrl, text, flag } from '../options.js';

export interface ElasticConfig {
  bulkUrl: string;
  rootUrl: string;
  namespace: string;
  recordIndex: string;
  alertIndex: string;
  auth: 'apikey' | 'basic' | 'bearer' | 'none';
  batch: number;
  /** Batches in flight at once (each its own request; the cursor still moves in order). */
  inFlight: number;
  gzip: boolean;
}

export function elasticConfig(row: SinkRow): ElasticConfig {
  const u = sinkUrl(row.url, row.name, ['https:', 'http:']);
  const o = row.options;
  const namespace = text(o, row.name, 'namespace', 'default');
  if (!/^[a-z0-9_]{1,100}$/.test(namespace))
    throw new AppError('CONFIG_INVALID', `Namespace "${namespace}" cannot name a data stream`, {
      hint: 'Use lower-case letters, digits and underscores (Elastic data stream naming)',
    });
  const auth = text(o, row.name, 'auth', 'apikey');
  if (!['apikey', 'basic', 'bearer', 'none'].includes(auth))
    throw new AppError('CONFIG_INVALID', `Sink option auth=${auth} is not apikey, basic, bearer or none`, {
      hint: 'Use --option auth=apikey (the default), basic (secret user:password), bearer or none',
    });
  const root = `${u.origin}${u.pathname.replace(/\/_bulk$/, '').replace(/\/+$/, '')}`;
  return {
    bulkUrl: `${root}/_bulk`,
    rootUrl: root,
    namespace,
    recordIndex: text(o, row.name, 'index', `logs-o365.audit-${namespace}`),
    alertIndex: text(o, row.name, 'alertIndex', `logs-tenantwatch.alert-${namespace}`),
    auth: auth as ElasticConfig['auth'],
    batch: int(o, row.name, 'batch', 1_000, 1, 10_000),
    inFlight: int(o, row.name, 'inFlight', 1, 1, 4),
    gzip: flag(o, row.name, 'gzip', true),
  };
}

/** What the secret of an Elasticsearch sink authenticating this way is (none: it sends no credential). */
export function elasticSecretName(auth: ElasticConfig['auth']): string | null {
  return auth === 'none' ? null : auth === 'basic' ? 'user:password' : auth === 'bearer' ? 'token' : 'API key';
}
