import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));
export const ENV_PREFIX = 'MIRRORTUBE_';

/** One layer of configuration and where it came from (a file, the environment, a test). */
export interface ConfigSource {
  name: string;
  data: unknown;
}

type StorageKey = Exclude<keyof Config['storage'], 'root'>;
/** The configuration after validation, with every storage folder resolved to an absolute path. */
export type InstanceConfig = Omit<Config, 'storage' | 'webserver'> & {
  storage: { root: string } & Record<StorageKey, string>;
  /** `port` resolved: `webserver.port`, or `listen.port` when it is not set */
  webserver: Omit<Config['webserver'], 'port'> & { port: number };
};

/**
 * A check of the parsed configuration beyond its schema, supplied by the area whose rules it
 * checks (the redundancy policy's, for one): returns error sentences; `sourceOf(key)` names the
 * file or variable that set a key (or one of its sub-keys).
 */
export type ConfigCheck = (config: Config, sourceOf: (key: string) => string) => string[];

export type ConfigResult = { ok: true; config: InstanceConfig } | { ok: false; errors: string[] };

const STORAGE_DEFAULTS: Record<StorageKey, string> = {
  tmp: 'tmp',
  web_videos: 'web-videos',
  streaming_playlists: 'streaming-playlists',
  redundancy: 'redundancy',
  torrents: 'torrents',
  thumbnails: 'thumbnails',
  previews: 'previews',
  database: 'db',
  cache: 'cache',
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of `layer` into `target`, remembering which source set each path. */
function mergeInto(target: Record<string, unknown>, layer: Record<string, unknown>, source: string, origins: Map<string, string>, prefix = ''): void {
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      mergeInto(current, value, source, origins, path);
    } else {
      target[key] = isPlainObject(value) ? structuredClone(value) : value;
      origins.set(path, source);
      if (isPlainObject(value)) markAll(value, path, source, origins);
    }
  }
}

function markAll(obj: Record<string, unknown>, prefix: string, source: string, origins: Map<string, string>): void {
  for (const [key, value] of Object.entries(obj)) {
    origins.set(`${prefix}.${key}`, source);
    if (isPlainObject(value)) markAll(value, `${prefix}.${key}`, source, origins);
  }
}

/** Environment variables MIRRORTUBE_A__B_C=value → { a: { b_c: value } } (values parsed as YAML scalars). */
export function environmentSource(env: Record<string, string | undefined>): ConfigSource {
  const data: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).toLowerCase().split('__');
    let node = data;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        node[segment] = parseEnvValue(raw);
      } else {
        if (!isPlainObject(node[segment])) node[segment] = {};
        node = node[segment] as Record<string, unknown>;
      }
    });
  }
  return { name: 'environment (MIRRORTUBE_* variables)', data };
}

function parseEnvValue(raw: string): unknown {
  try {
    return parseYaml(raw) as unknown;
  } catch {
    return raw;
  }
}

export function readConfigFile(file: string): ConfigSource | { error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { error: `cannot read config file ${file}: ${(err as Error).message}` };
  }
  try {
    const data = parseYaml(text) as unknown;
    if (data !== null && data !== undefined && !isPlainObject(data)) return { error: `${file}: the top level must be a mapping of keys` };
    return { name: file, data: data ?? {} };
  } catch (err) {
    return { error: `${file}: invalid YAML: ${(err as Error).message}` };
  }
}

/**
 * Builds the configuration from layers, later ones winning: config/default.yaml, then `files`,
 * then `extra` sources (tests), then the environment. Unknown keys and invalid values are reported
 * with their dotted key and the source that set them.
 */
export function loadConfig(options: {
  files?: string[];
  env?: Record<string, string | undefined>;
  extra?: ConfigSource[];
  cwd?: string;
  /** checks beyond the schema (main passes the redundancy policy's) */
  checks?: readonly ConfigCheck[];
}): ConfigResult {
  const sources: ConfigSource[] = [];
  const errors: string[] = [];
  for (const file of [DEFAULT_CONFIG_FILE, ...(options.files ?? [])]) {
    const read = readConfigFile(resolve(options.cwd ?? process.cwd(), file));
    if ('error' in read) errors.push(read.error);
    else sources.push(read);
  }
  if (errors.length > 0) return { ok: false, errors };
  sources.push(...(options.extra ?? []));
  sources.push(environmentSource(options.env ?? {}));

  const merged: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  for (const source of sources) {
    if (!isPlainObject(source.data)) {
      errors.push(`${source.name}: the top level must be a mapping of keys`);
      continue;
    }
    mergeInto(merged, source.data, source.name, origins);
  }
  if (errors.length > 0) return { ok: false, errors };

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const base = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = base ? `${base}.${key}` : key;
          errors.push(`unknown configuration key "${path}" (set in ${origins.get(path) ?? 'unknown source'})`);
        }
      } else {
        errors.push(`invalid configuration key "${base}": ${issue.message} (set in ${origins.get(base) ?? 'no source: the key is missing'})`);
      }
    }
    return { ok: false, errors };
  }
  const sourceOf = (key: string) => origins.get(key) ?? [...origins].find(([k]) => k.startsWith(`${key}.`))?.[1] ?? 'defaults';
  for (const check of options.checks ?? []) errors.push(...check(parsed.data, sourceOf));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: resolveStorage(parsed.data, options.cwd ?? process.cwd()) };
}

function resolveStorage(config: Config, cwd: string): InstanceConfig {
  const root = resolve(cwd, config.storage.root);
  const storage = { root } as InstanceConfig['storage'];
  for (const key of Object.keys(STORAGE_DEFAULTS) as StorageKey[]) {
    storage[key] = resolve(root, config.storage[key] ?? STORAGE_DEFAULTS[key]);
  }
  return { ...config, storage, webserver: { ...config.webserver, port: config.webserver.port ?? config.listen.port } };
}
