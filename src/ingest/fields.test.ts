import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, modifiedProperties, nameValues } from './fields.js';

const EXCHANGE_ADMIN = {
  Operation: 'New-InboxRule',
  RecordType: 1,
  Parameters: [
    { Name: 'Name', Value: 'x' },
    { Name: 'ForwardTo', Value: 'a@evil.example' },
    { Name: 'ForwardTo', Value: 'b@evil.example' },
    { Name: 'StopProcessingRules', Value: true },
  ],
};

test('field() finds a top-level field whatever its casing', () => {
  assert.equal(field(EXCHANGE_ADMIN, 'Operation'), 'New-InboxRule');
  assert.equal(field(EXCHANGE_ADMIN, 'operation'), 'New-InboxRule');
  assert.equal(field({ clientip: '1.2.3.4' }, 'ClientIP'), '1.2.3.4');
  assert.equal(field(EXCHANGE_ADMIN, 'Missing'), undefined);
});

test('nameValues() keeps repeated names and every value, in order', () => {
  const params = nameValues(EXCHANGE_ADMIN, 'Parameters');
  assert.deepEqual(params.get('ForwardTo'), ['a@evil.example', 'b@evil.example']);
  assert.deepEqual(params.get('StopProcessingRules'), ['true']);
  assert.deepEqual(nameValues({ parameters: EXCHANGE_ADMIN.Parameters }, 'Parameters').get('Name'), ['x']);
});

test('nameValues() reads JSON-encoded arrays and ignores flat strings', () => {
  const stringly = { OperationProperties: '[{"Name":"SystemArtifactType","Value":"None"}]' };
  assert.deepEqual(nameValues(stringly, 'OperationProperties').get('SystemArtifactType'), ['None']);
  assert.equal(nameValues({ Parameters: '-Identity "x" -Enabled $false' }, 'Parameters').size, 0);
  assert.equal(nameValues({}, 'ExtendedProperties').size, 0);
});

test('modifiedProperties() handles Entra objects with JSON-encoded values', () => {
  const entra = {
    ModifiedProperties: [
      { Name: 'AccountEnabled', OldValue: '[true]', NewValue: '[false]' },
      { Name: 'Included Updated Properties', OldValue: '', NewValue: 'AccountEnabled' },
      { Name: 'ConsentAction.Permissions', OldValue: '', NewValue: '[] => [[Id: x]]; ' },
      { Name: 'StrongAuthenticationMethod', OldValue: '[{"MethodType":6}]', NewValue: '[]' },
    ],
  };
  assert.deepEqual(modifiedProperties(entra), [
    { name: 'AccountEnabled', oldValue: 'true', newValue: 'false' },
    { name: 'Included Updated Properties', oldValue: '', newValue: 'AccountEnabled' },
    { name: 'ConsentAction.Permissions', oldValue: '', newValue: '[] => [[Id: x]]; ' },
    { name: 'StrongAuthenticationMethod', oldValue: '[{"MethodType":6}]', newValue: '' },
  ]);
});

test('modifiedProperties() handles the ExchangeMailboxItem string array', () => {
  assert.deepEqual(modifiedProperties({ ModifiedProperties: ['Subject', 'Body'] }), [
    { name: 'Subject', oldValue: null, newValue: null },
    { name: 'Body', oldValue: null, newValue: null },
  ]);
  assert.deepEqual(modifiedProperties({}), []);
});
