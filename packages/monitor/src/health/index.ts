export * from './report.js';
export { coreHealthChecks, judgeSpace } from './core-checks.js';
export { monitorHealthChecks } from './monitor-checks.js';
