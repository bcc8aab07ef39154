export * from './model.js';
export { DEFAULT_FILES, loadComposeDocument, loadProject, type ComposeFile, type LoadInput } from './load.js';
export { interpolateString, parseEnvFile } from './interpolate.js';
export { parsePorts, parseVolumes, projectNameFrom } from './normalise.js';
export { schemaProblems } from './validate.js';
export { projectYaml } from './print.js';
