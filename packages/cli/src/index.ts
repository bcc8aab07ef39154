export { main } from './program.js';
export { tabwrite } from './format/tabwriter.js';
export { Template } from './format/template.js';
