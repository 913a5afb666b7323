// Helpers for tests that walk every operation of the served OpenAPI document: example bodies from the
// JSON schemas, seeded random payloads, and a row-count snapshot of every table.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/store/db.ts';
import { rng } from '../../src/shared/random.ts';

export { rng };

export interface Op { method: string; path: string; params: any[]; body?: any }

/** Operations that cannot be walked generically, with the reason. */
export const SKIP: Record<string, string> = {
  'GET /api/events': 'Server-Sent Events stream never ends',
};

export async function listOperations(app: FastifyInstance, headers: Record<string, string> = {}): Promise<Op[]> {
  const doc = (await app.inject({ url: '/api/openapi.json', headers })).json();
  const ops: Op[] = [];
  for (const [p, methods] of Object.entries<any>(doc.paths)) {
    for (const [m, op] of Object.entries<any>(methods)) {
      if (SKIP[`${m.toUpperCase()} ${p}`]) continue;
      ops.push({ method: m.toUpperCase(), path: p, params: op.parameters ?? [], body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops;
}

/** Every concrete path of an operation: enum path parameters (e.g. :action) expand to each value. */
export function expandPaths(op: Op, value: (name: string) => string): string[] {
  let paths = [op.path];
  for (const p of op.params.filter((x) => x.in === 'path')) {
    const values: string[] = p.schema?.enum ?? [value(p.name)];
    paths = paths.flatMap((path) => values.map((v) => path.replace(`{${p.name}}`, encodeURIComponent(String(v)))));
  }
  return paths.map((path) => fillPath(path, value));
}

export function fillPath(path: string, value: (name: string) => string): string {
  return path.replace(/\{([A-Za-z_]+)\}/g, (_m, name) => encodeURIComponent(value(name)));
}

/** A minimal valid-looking instance of a JSON schema (required properties only, unless all = true). */
export function example(schema: any, all = false, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  for (const k of ['anyOf', 'oneOf']) if (schema[k]) return example(schema[k].find((s: any) => s.type !== 'null') ?? schema[k][0], all, depth + 1);
  if (schema.allOf) return example(schema.allOf[0], all, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
      if (schema.pattern) return patternExample(schema.pattern, schema);
      {
        const n = Math.max(schema.minLength ?? 1, 1);
        return ('测试' + 'x'.repeat(n)).slice(0, Math.max(n, Math.min(schema.maxLength ?? 8, 8)));
      }
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(1, schema.maximum ?? 1));
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, all ? 1 : 0) }, () => example(schema.items, all, depth + 1));
    case 'object':
    default: {
      if (!schema.properties) return type === 'object' ? {} : null;
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries<any>(schema.properties)) if (all || (schema.required ?? []).includes(k)) o[k] = example(v, all, depth + 1);
      return o;
    }
  }
}

function patternExample(pattern: string, schema: any): string {
  if (/\\d|\[0-9\]/.test(pattern) && !/[a-z]/i.test(pattern.replace(/\\d/g, ''))) return '1';
  if (/\^\\d\{4\}-\\d\{2\}-\\d\{2\}\$/.test(pattern)) return new Date().toISOString().slice(0, 10);
  return 'x'.repeat(schema.minLength ?? 1);
}


const NASTY_STRINGS = [
  '', ' ', "'; DROP TABLE cases; --", '"', '\\', '\u0000', '💥🔥', '𠮷野家', '<script>alert(1)</script>', '../../etc/passwd',
  'x'.repeat(5000), '-1', '0', '1e309', 'NaN', 'null', 'true', '2026-13-45', '9999-12-31T99:99:99Z', '%s%s%n', '{"a":1}', '\r\n\t',
];

/** A random JSON value: garbage of every type, sometimes deeply nested. */
export function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return [0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, 2147483648, 3][Math.floor(r() * 8)];
    case 3:
    case 4: return NASTY_STRINGS[Math.floor(r() * NASTY_STRINGS.length)];
    case 5: return Math.floor(r() * 1000);
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 4); i++) o[NASTY_STRINGS[Math.floor(r() * NASTY_STRINGS.length)].slice(0, 20) || 'k'] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** A payload for op: the schema example with some fields mutated, or plain garbage. */
export function fuzzBody(op: Op, r: () => number): { payload: string; contentType: string } {
  const mode = Math.floor(r() * 6);
  if (mode === 0) return { payload: ['{', '{"a":', 'not json', '[1,2', '\u0000', '{}}'][Math.floor(r() * 6)], contentType: 'application/json' };
  if (mode === 1) return { payload: JSON.stringify(randomValue(r)), contentType: 'application/json' };
  const base = example(op.body, r() < 0.5) as any;
  if (base && typeof base === 'object' && !Array.isArray(base)) {
    const keys = Object.keys(op.body?.properties ?? {});
    for (const key of keys) if (r() < 0.4) base[key] = randomValue(r);
    if (r() < 0.2) base[`extra_${Math.floor(r() * 100)}`] = randomValue(r);
    return { payload: JSON.stringify(base), contentType: 'application/json' };
  }
  return { payload: JSON.stringify(base ?? randomValue(r)), contentType: 'application/json' };
}

/** Row counts of every table, in one query. */
export async function snapshot(db: Db, ignore: string[] = []): Promise<Record<string, number>> {
  const tables = (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`))
    .map((r) => r.t)
    .filter((t) => !ignore.includes(t) && /^[a-z_][a-z0-9_]*$/.test(t));
  if (!tables.length) return {};
  const [row] = await db.query(`SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}")::int AS "${t}"`).join(', ')}`);
  return row as Record<string, number>;
}
