import { useState, type FormEvent } from 'react';
import { api, send, type NewTenant, type TenantTestResult } from '../api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useApi } from '../components/useApi.js';

const CLOUDS = ['commercial', 'gcc', 'gcchigh', 'dod'] as const;

/** The form's fields as NewTenant: empty fields left out, the credential of the chosen kind only. */
function tenantOf(f: FormData, kind: 'secret' | 'certificate'): NewTenant {
  const text = (name: string): string => {
    const v = f.get(name);
    return typeof v === 'string' ? v : '';
  };
  const optional = (name: keyof NewTenant) => (text(name).trim() ? { [name]: text(name).trim() } : {});
  return {
    name: text('name').trim(),
    tenantId: text('tenantId').trim(),
    clientId: text('clientId').trim(),
    cloud: text('cloud') as NewTenant['cloud'],
    ...optional('domain'),
    ...optional('baseUrl'),
    ...optional('caFile'),
    ...(kind === 'secret'
      ? { clientSecret: text('clientSecret') }
      : { certificatePem: text('certificatePem'), privateKeyPem: text('privateKeyPem') }),
  };
}

function TestResult({ result }: { result: TenantTestResult }) {
  return (
    <div className={`tenant-test ${result.ok ? 'ok' : 'failed'}`} role="status">
      <strong>
        {result.tenant}: {result.ok ? 'connection works' : 'connection failed'}
      </strong>
      <ul>
        {result.lines.map((l, i) => (
          <li key={i}>{l}</li>
        ))}
      </ul>
      {result.error ? (
        <div className="error">
          {result.error.message}
          {result.error.hint ? <div className="hint">{result.error.hint}</div> : null}
        </div>
      ) : null}
    </div>
  );
}

/**
 * Registering a tenant and testing its connection (`tenant add` and `tenant test` in the console). The
 * secret is sent once, over the console's own connection, and the form is cleared after it is stored:
 * the server never sends it back.
 */
export function TenantAdmin({ canAdd = true }: { canAdd?: boolean }) {
  const [reload, setReload] = useState(0);
  const tenants = useApi(api.tenants(), reload);
  const [kind, setKind] = useState<'secret' | 'certificate'>('secret');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tested, setTested] = useState<TenantTestResult | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  const add = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const form = e.currentTarget;
    setBusy('add');
    setError(null);
    send(api.addTenant(tenantOf(new FormData(form), kind)))
      .then((r) => {
        form.reset();
        setAdded(r.tenant.name);
        setTested(null);
        setReload((n) => n + 1);
      })
      .catch(setError)
      .finally(() => setBusy(null));
  };
  const test = (name: string): void => {
    setBusy(name);
    setError(null);
    send(api.testTenant(name))
      .then(setTested)
      .catch(setError)
      .finally(() => setBusy(null));
  };

  return (
    <div className="tenant-admin">
      <h2>Tenants</h2>
      <table className="audit-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Tenant ID</th>
            <th>Cloud</th>
            <th>Credential</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(tenants.data?.tenants ?? []).map((t) => (
            <tr key={t.tenantId}>
              <td>{t.name}</td>
              <td>{t.tenantId}</td>
              <td>{t.cloud}</td>
              <td>{t.authKind}</td>
              <td>
                <button
                  type="button"
                  className="test-tenant"
                  disabled={busy !== null}
                  onClick={() => test(t.name)}
                  aria-label={`Test the connection of ${t.name}`}
                >
                  {busy === t.name ? 'Testing…' : 'Test connection'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tested ? <TestResult result={tested} /> : null}
      {added && !tested ? (
        <p role="status" className="muted">
          Added {added}. Test its connection above before collecting.
        </p>
      ) : null}
      <ErrorNote error={error ?? tenants.error} />
      {canAdd ? (
        <form className="tenant-form" onSubmit={add} aria-label="Add tenant" autoComplete="off">
          <input name="name" aria-label="short name (contoso)" placeholder="short name (contoso)" required />
          <input name="tenantId" aria-label="tenant id (GUID)" placeholder="tenant id (GUID)" required />
          <input name="clientId" aria-label="application (client) id" placeholder="application (client) id" required />
          <select name="cloud" defaultValue="commercial" aria-label="cloud">
            {CLOUDS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <input name="domain" aria-label="primary domain (optional)" placeholder="primary domain (optional)" />
          <fieldset>
            <legend>Credential</legend>
            <label>
              <input
                type="radio"
                name="credentialKind"
                checked={kind === 'secret'}
                onChange={() => setKind('secret')}
              />{' '}
              client secret
            </label>
            <label>
              <input
                type="radio"
                name="credentialKind"
                checked={kind === 'certificate'}
                onChange={() => setKind('certificate')}
              />{' '}
              certificate
            </label>
          </fieldset>
          {kind === 'secret' ? (
            <input
              name="clientSecret"
              type="password"
              aria-label="client secret"
              placeholder="client secret"
              autoComplete="new-password"
              required
            />
          ) : (
            <>
              <textarea name="certificatePem" aria-label="certificate (PEM)" placeholder="certificate (PEM)" required />
              <textarea name="privateKeyPem" aria-label="private key (PEM)" placeholder="private key (PEM)" required />
            </>
          )}
          <details>
            <summary>Advanced (only on a server started with --allow-tenant-endpoints)</summary>
            <input name="baseUrl" aria-label="base URL (emulator, proxy)" placeholder="base URL (emulator, proxy)" />
            <input name="caFile" aria-label="CA file on the server (PEM)" placeholder="CA file on the server (PEM)" />
          </details>
          <button type="submit" disabled={busy !== null}>
            {busy === 'add' ? 'Adding…' : 'Add tenant'}
          </button>
        </form>
      ) : null}
    </div>
  );
}
