export { loadConfig, parseConfig, ConfigError, formatIssue, type Config, type ConfigIssue } from './load.js';
export { configSchema, type ConfigInput } from './schema.js';
