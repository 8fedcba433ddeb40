/**
 * How deep a JSON record may nest, checked where records enter, before anything recursive walks it
 * (issue 18.9); the checks themselves are core/json.ts, shared with every reader of stored records.
 */
export { nestedDeeperThan, objectDeeperThan } from '../core/json.js';

export const TOO_DEEP =
  'the record nests objects or arrays more than 64 levels deep: no audit record does; refused so that no reader of it can crash';
