export { loadConfig, environmentSource, readConfigFile, DEFAULT_CONFIG_FILE, ENV_PREFIX } from './load-config.js';
export type { InstanceConfig, ConfigSource, ConfigResult, ConfigCheck } from './load-config.js';
export { configSchema, RESOLUTION_KEYS } from './schema.js';
export type { Config, ResolutionKey } from './schema.js';
