import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import forge from 'node-forge';
import { tempDir } from '../../test/support/paths.js';
import { endpointsFor } from '../microsoft/types.js';
import { buildTenantRow, publicView, readCertificateFiles } from './tenants.js';

const TID = '3509E8A3-4d87-4795-8f58-150ac9ed451b';
const CID = 'bdcac12f-e345-42b2-a9b9-bbe32356ef69';
const key = () => Buffer.alloc(32, 7);

/** spec §1.1, §1.4, §2.1: login, Management API, Graph and Exchange hosts and scopes per cloud. */
test("national clouds have the spec table's hosts; a base URL replaces every host but keeps the real scopes", () => {
  const want = {
    commercial: ['https://login.microsoftonline.com', 'https://manage.office.com', 'https://graph.microsoft.com'],
    gcc: ['https://login.microsoftonline.com', 'https://manage-gcc.office.com', 'https://graph.microsoft.com'],
    gcchigh: ['https://login.microsoftonline.us', 'https://manage.office365.us', 'https://graph.microsoft.us'],
    dod: ['https://login.microsoftonline.us', 'https://manage.protection.apps.mil', 'https://dod-graph.microsoft.us'],
  } as const;
  for (const [cloud, [login, manage, graph]] of Object.entries(want)) {
    const e = endpointsFor(cloud as keyof typeof want);
    assert.deepEqual([e.login, e.management, e.graph], [login, manage, graph], cloud);
    assert.equal(e.scopes.management, `${manage}/.default`);
  }
  assert.equal(endpointsFor('gcchigh').graphAuditQueryAvailable, false);
  const emu = endpointsFor('dod', 'https://127.0.0.1:8443/');
  assert.equal(emu.management, 'https://127.0.0.1:8443');
  assert.equal(emu.scopes.management, 'https://manage.protection.apps.mil/.default');
});

test('a tenant row: GUIDs normalised, secret sealed (never in clear), references kept as given', () => {
  const row = buildTenantRow(
    {
      name: 'contoso',
      tenantId: TID,
      clientId: CID,
      cloud: 'gcchigh',
      credential: { kind: 'secret', secret: 'plain-secret-value' },
    },
    key,
    1000,
  );
  assert.equal(row.tenantId, TID.toLowerCase());
  assert.equal(row.cloud, 'gcchigh');
  assert.ok(row.credential.startsWith('enc:v1:') && !row.credential.includes('plain-secret'));
  const view = JSON.stringify(publicView(row));
  assert.ok(!view.includes(row.credential) && !view.includes('plain-secret'));
  assert.match(view, /manage\.office365\.us/);
  const ref = buildTenantRow(
    { name: 'fab', tenantId: TID, clientId: CID, credential: { kind: 'secret-ref', ref: 'env:FAB_SECRET' } },
    key,
    1000,
  );
  assert.equal(ref.credential, 'env:FAB_SECRET');
});

test('bad input is refused with what to do', () => {
  const base = { name: 'x', tenantId: TID, clientId: CID, credential: { kind: 'secret' as const, secret: 's' } };
  assert.throws(
    () => buildTenantRow({ ...base, tenantId: 'contoso.com' }, key, 0),
    /--tenant-id "contoso.com" is not a GUID/,
  );
  assert.throws(() => buildTenantRow({ ...base, cloud: 'moon' }, key, 0), /--cloud "moon"/);
  assert.throws(() => buildTenantRow({ ...base, baseUrl: 'http://127.0.0.1:1' }, key, 0), /must be https/);
  assert.throws(() => buildTenantRow({ ...base, name: 'bad name!' }, key, 0), { code: 'BAD_INPUT' });
  // --domain was stored as typed, so "contoso com" or a pasted URL showed up as the tenant's domain.
  for (const domain of ['contoso com', 'https://contoso.com', 'contoso', 'alice@contoso.com'])
    assert.throws(() => buildTenantRow({ ...base, domain }, key, 0), {
      code: 'BAD_INPUT',
      message: `--domain "${domain}" is not a domain name`,
    });
  assert.equal(
    buildTenantRow({ ...base, domain: 'Contoso.onmicrosoft.com' }, key, 0).domain,
    'contoso.onmicrosoft.com',
  );
  assert.throws(() => buildTenantRow({ ...base, credential: { kind: 'secret', secret: '  ' } }, key, 0), {
    code: 'SECRET_MISSING',
  });
});

test('certificates: a PEM pair must match, and a PFX is converted with its password', () => {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.UTC(2026, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2028, 0, 1));
  cert.setSubject([{ name: 'commonName', value: 'tenantwatch test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'tenantwatch test' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const keyPem = forge.pki.privateKeyToPem(keys.privateKey);
  const tmp = tempDir();
  try {
    const pfx = forge.asn1
      .toDer(forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], 'pw', { algorithm: '3des' }))
      .getBytes();
    writeFileSync(join(tmp.dir, 'a.pfx'), Buffer.from(pfx, 'binary'));
    const converted = readCertificateFiles(join(tmp.dir, 'a.pfx'), undefined, 'pw');
    const row = buildTenantRow(
      { name: 'c', tenantId: TID, clientId: CID, credential: { kind: 'certificate', ...converted } },
      key,
      0,
    );
    assert.equal(row.authKind, 'certificate');
    assert.ok(row.certificatePem?.includes('BEGIN CERTIFICATE'));
    assert.throws(() => readCertificateFiles(join(tmp.dir, 'a.pfx'), undefined, 'wrong'), { code: 'BAD_INPUT' });
    const other = forge.pki.privateKeyToPem(forge.pki.rsa.generateKeyPair(1024).privateKey);
    assert.throws(
      () =>
        buildTenantRow(
          {
            name: 'c',
            tenantId: TID,
            clientId: CID,
            credential: { kind: 'certificate', certificatePem: certPem, privateKeyPem: other },
          },
          key,
          0,
        ),
      /does not belong/,
    );
    assert.doesNotThrow(() =>
      buildTenantRow(
        {
          name: 'c',
          tenantId: TID,
          clientId: CID,
          credential: { kind: 'certificate', certificatePem: certPem, privateKeyPem: keyPem },
        },
        key,
        0,
      ),
    );
  } finally {
    tmp.cleanup();
  }
});
