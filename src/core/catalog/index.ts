/**
 * The catalogues of core/: record types, user types, content types and the Purview activity list,
 * generated from spec/schema by scripts/sync-schema.mjs (npm run schema:sync). Pure: the data is
 * imported JSON, no I/O at run time.
 */
export { recordTypeName, recordTypeInfo, resolveRecordType, recordTypes, type RecordTypeInfo } from './record-types.js';
export { userTypeName, resolveUserType } from './user-types.js';
export { contentTypeForRecordType, contentTypeRoutingRule } from './content-types.js';
export { resolveOperations, activityFor, activityCategories, type Activity } from './activities.js';
export { recordTypeHasField, anyRecordTypeHasField } from './fields.js';
