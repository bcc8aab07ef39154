export { AlertEngine, alertEvent, type AlertHost, type AlertEngineOptions } from './engine.js';
export { AlertStore, type HistoryEntry, type HistoryKind } from './store.js';
export {
  parseRule,
  parseCondition,
  parseDuration,
  publicRule,
  type AlertRule,
  type AlertRuleInput,
  type Condition,
} from './rule.js';
export { signBody, SIGNATURE_HEADER } from './sign.js';
export { Firings, type Firing } from './firings.js';
export type { AlertNotice, Attempt, RetryPolicy } from './deliver.js';
