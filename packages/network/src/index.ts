export type * from './types.js';
export { hostNames } from './naming.js';
