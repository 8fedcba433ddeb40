import { test } from 'node:test';
import assert from 'node:assert/strict';
import { depthCutValue, isPowerShellContainerText } from './powershell-cut.js';

/** A SharePoint record as `ConvertFrom-Json | … | ConvertTo-Json` (-Depth 2 unless given) leaves it at each depth. */
const record = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    CreationTime: '2024-05-23T15:10:00',
    Id: '5c4a2b1e-0000-4000-8000-000000000001',
    Operation: 'FileAccessed',
    RecordType: 6,
    AppAccessContext: { AADSessionId: 'x', CorrelationId: 'y' },
    ...overrides,
  });

test('the text PowerShell writes for an array, hashtable or object it cut is recognised whole, not inside other text', () => {
  for (const text of [
    'System.Object[]',
    'System.String[]',
    'System.Collections.Hashtable',
    'System.Collections.Specialized.OrderedDictionary',
    'System.Collections.Generic.List`1[System.Object]',
    '@{Name=UserAgent; Value=Mozilla/5.0}',
    '@{}',
  ])
    assert.equal(isPowerShellContainerText(text), true, text);
  for (const text of [
    'cast failed: System.Object[] is not a string',
    'System.Collections.Hashtable was passed',
    'System',
    '@{mention}',
    'see @{Name=x} below',
    'Microsoft.Exchange.Data.Directory.ADObjectId',
    // A type name alone is not a cut container: an error field may name an exception.
    'System.TimeoutException',
  ])
    assert.equal(isPowerShellContainerText(text), false, text);
});

test('a record is cut where a whole string value stands for an object or array and nothing real is as deep', () => {
  const cut = record({
    ExtendedProperties: ['System.Collections.Hashtable', 'System.Collections.Hashtable'],
    Actor: ['@{ID=a@contoso.com; Type=5}'],
  });
  assert.equal(depthCutValue(cut), 'System.Collections.Hashtable');
  assert.equal(
    depthCutValue(record({ AppAccessContext: '@{AADSessionId=x; CorrelationId=y}' })),
    '@{AADSessionId=x; CorrelationId=y}',
  );
  assert.equal(depthCutValue(record({ Actor: 'System.Object[]', AppAccessContext: 'x' })), 'System.Object[]');
  // Whole records, free text naming the type, and a type name beside a real object as deep are not cut.
  assert.equal(depthCutValue(record()), null);
  assert.equal(depthCutValue(record({ Subject: 'Why does my script print System.Object[]?' })), null);
  assert.equal(
    depthCutValue(
      record({
        Parameters: [
          { Name: 'Type', Value: 'System.Object[]' },
          { Name: 'X', Value: [1] },
        ],
      }),
    ),
    null,
  );
  assert.equal(depthCutValue(record({ Note: 'System.Object[]' })), null, 'AppAccessContext is a real object as deep');
});
