// The one place that reads the environment. Everything else receives a Config.
import { z } from 'zod';
import path from 'node:path';

const ConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  host: z.string().default('0.0.0.0'),
  /** Directory of the embedded database (PGlite) and local secrets. */
  dataDir: z.string().default('./data'),
  /** postgres://… to use a real PostgreSQL server instead of embedded PGlite. */
  databaseUrl: z.string().url().optional(),
  /** Secret for phone encryption and keyed hashes; generated into dataDir when absent. */
  secret: z.string().min(16).optional(),
  /** City time zone: all local-day bucketing uses it. */
  timeZone: z.string().default('Asia/Shanghai'),
  /** Load demo data into an empty database at start. */
  demoOnEmpty: z.coerce.boolean().default(true),
  adminPassword: z.string().min(8).optional(),
  /** Rate limit per API token / user / IP: sustained requests a second and burst size (token bucket). */
  rateLimitPerSecond: z.coerce.number().positive().default(100),
  rateLimitBurst: z.coerce.number().int().positive().default(1000),
  /** Worker threads that tag intake texts (0 = on the main thread); unset: see defaultTaggingThreads. */
  taggingThreads: z.coerce.number().int().min(0).max(16).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const fromEnv = {
    port: env.PORT,
    host: env.HOST,
    dataDir: env.MINSHENG_DATA,
    databaseUrl: env.DATABASE_URL || undefined,
    secret: env.MINSHENG_SECRET || undefined,
    demoOnEmpty: env.MINSHENG_DEMO === undefined ? undefined : env.MINSHENG_DEMO !== '0',
    adminPassword: env.MINSHENG_ADMIN_PASSWORD || undefined,
    rateLimitPerSecond: env.MINSHENG_RATE_LIMIT || undefined,
    rateLimitBurst: env.MINSHENG_RATE_BURST || undefined,
    taggingThreads: env.MINSHENG_TAG_THREADS || undefined,
    logLevel: env.LOG_LEVEL,
  };
  const defined = Object.fromEntries(Object.entries({ ...fromEnv, ...overrides }).filter(([, v]) => v !== undefined));
  const parsed = ConfigSchema.safeParse(defined);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`配置错误 (invalid configuration): ${detail}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
