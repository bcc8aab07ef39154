export { createAutoscaler } from './create-autoscaler.js';
