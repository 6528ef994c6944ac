/**
 * Configuration: defaults < config file (`--config FILE` or `CC_CONFIG`) < environment.
 * The file is JSON with one object per service plus shared keys:
 *   { "dataDir": "./data", "hub": { "port": 8700 }, "sfu": { … }, "bridge": { … } }
 * A setting `hub.port` is also `CC_HUB_PORT`; `dataDir` is `CC_DATA_DIR`.
 * Anything invalid stops start-up with a message naming the setting and where it came from.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const sharedConfigSchema = z
  .object({
    dataDir: z.string().min(1).default('./data'),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .strict();
export type SharedConfig = z.infer<typeof sharedConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** `fooBarBaz` → `FOO_BAR_BAZ`. */
export function envName(section: string | null, key: string): string {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return section ? `CC_${section.toUpperCase().replace(/-/g, '_')}_${snake}` : `CC_${snake}`;
}

export interface ConfigSource {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** The config file named by `--config FILE` / `--config=FILE` or `CC_CONFIG`, if any. */
export function configFilePath({ argv = process.argv, env = process.env }: ConfigSource = {}): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--config') return argv[i + 1];
    if (arg?.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return env.CC_CONFIG || undefined;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError([`config file ${path}: cannot be read (${(cause as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError([`config file ${path}: not valid JSON (${(cause as Error).message})`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${path}: must hold a JSON object`]);
  }
  return parsed as Record<string, unknown>;
}

/** Env values are strings; a numeric or boolean setting gets the obvious conversion. */
function fromEnv(raw: string, schema: z.ZodType): unknown {
  if (schema.safeParse(raw).success) return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (raw.trim().startsWith('[') || raw.trim().startsWith('{')) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

interface Layer {
  values: Record<string, unknown>;
  origin: Record<string, string>;
}

function layer<S extends z.ZodObject>(
  schema: S,
  section: string | null,
  fileValues: Record<string, unknown> | undefined,
  filePath: string | undefined,
  env: NodeJS.ProcessEnv,
  problems: string[],
): Layer {
  const values: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  const prefix = section ? `${section}.` : '';
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(fileValues ?? {})) {
    if (!(key in shape)) {
      problems.push(`${prefix}${key}: unknown setting (in ${filePath})`);
      continue;
    }
    values[key] = value;
    origin[key] = `config file ${filePath}`;
  }
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const name = envName(section, key);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    values[key] = fromEnv(raw, fieldSchema);
    origin[key] = `environment ${name}=${JSON.stringify(raw)}`;
  }
  return { values, origin };
}

function validate<S extends z.ZodObject>(
  schema: S,
  section: string | null,
  { values, origin }: Layer,
  problems: string[],
): z.infer<S> | undefined {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '');
    const where = origin[key] ?? 'default';
    const name = `${section ? `${section}.` : ''}${issue.path.map(String).join('.')}`;
    problems.push(`${name}: ${issue.message} (from ${where}; env ${envName(section, key)})`);
  }
  return undefined;
}

export interface LoadedConfig<S extends z.ZodObject> {
  shared: SharedConfig & { dataDir: string };
  service: z.infer<S>;
  file: string | undefined;
}

/**
 * Loads the shared settings and one service's section. Throws ConfigError listing
 * every problem at once (unknown keys, wrong types, out-of-range values).
 */
export function loadConfig<S extends z.ZodObject>(section: string, schema: S, source: ConfigSource = {}): LoadedConfig<S> {
  const env = source.env ?? process.env;
  const file = configFilePath(source);
  const problems: string[] = [];
  const contents = file ? readConfigFile(file) : {};

  const sharedFile: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(contents)) {
    if (['hub', 'sfu', 'bridge', 'demo'].includes(key)) continue;
    sharedFile[key] = value;
  }
  const sectionValues = contents[section];
  if (sectionValues !== undefined && (typeof sectionValues !== 'object' || sectionValues === null || Array.isArray(sectionValues))) {
    problems.push(`${section}: must be an object (in ${file})`);
  }
  const shared = validate(sharedConfigSchema, null, layer(sharedConfigSchema, null, sharedFile, file, env, problems), problems);
  const service = validate(
    schema,
    section,
    layer(schema, section, sectionValues as Record<string, unknown> | undefined, file, env, problems),
    problems,
  );
  if (problems.length > 0 || !shared || !service) throw new ConfigError(problems);
  return { shared: { ...shared, dataDir: resolve(shared.dataDir) }, service, file };
}

/** A TCP/UDP port setting. */
export const portSchema = z.number().int().min(1).max(65535);
/** A host/IP to bind. */
export const hostSchema = z.string().min(1).max(255);
