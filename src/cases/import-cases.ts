// Import of cases from CSV / XLSX: a column mapping onto the intake fields, the same validation as the API,
// a row-level error report, and one transaction per mode — all-or-nothing (any bad row: nothing stored) or
// skip-bad-rows (good rows stored together, bad rows reported). Never half a batch.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Actor, AppContext } from '../server/context.ts';
import { AppError, validationError } from '../shared/errors.ts';
import { localDay } from '../shared/time.ts';
import { zodFields } from '../server/route.ts';
import { CreateCaseSchema } from './schema.ts';
import { createCase } from './create-case.ts';
import { resolvePlace } from './place.ts';
import { reserveCaseNos } from './case-number.ts';
import { runAfterCommit } from './notify.ts';
import type { CaseChange } from './hooks.ts';

export type ImportMode = 'all-or-nothing' | 'skip-bad-rows';
export interface ImportError { row: number; field: string; column: string | null; message: string }
export interface ImportResult { file: string; mode: ImportMode; total: number; imported: number; duplicates: number; failed: number; committed: boolean; errors: ImportError[] }

/** Column headers understood without a mapping (besides the field names themselves). */
export const DEFAULT_MAPPING: Record<string, string> = {
  渠道: 'channel', 来源渠道: 'channel', 受理渠道: 'channel',
  内容: 'content', 诉求内容: 'content', 留言详情: 'content', 来电内容: 'content', 工单内容: 'content',
  标题: 'title', 留言主题: 'title', 诉求标题: 'title', 主题: 'title',
  来电号码: 'callerPhone', 联系电话: 'callerPhone', 电话: 'callerPhone', 手机号: 'callerPhone', 来电人电话: 'callerPhone',
  来电人: 'callerName', 姓名: 'callerName', 来电人姓名: 'callerName', 留言用户: 'callerName',
  受理时间: 'receivedAt', 来电时间: 'receivedAt', 留言时间: 'receivedAt', 登记时间: 'receivedAt',
  区县代码: 'districtCode', 区县: 'districtCode', 街道代码: 'streetCode', 街道: 'streetCode', 社区代码: 'communityCode', 社区: 'communityCode',
  小区: 'compoundId', 小区编号: 'compoundId', 地址: 'address', 详细地址: 'address', 经度: 'lng', 纬度: 'lat',
  分类代码: 'categoryCode', 分类: 'categoryCode', 诉求类型: 'requestType', 紧急程度: 'urgency', 关键词: 'keywords',
  敏感: 'sensitive', 承办单位: 'unitId', 答复: 'resolution', 答复意见: 'resolution',
};
const FIELDS = Object.keys(CreateCaseSchema.shape);
const TYPE_NAMES: Record<string, string> = { 咨询: 'consultation', 求助: 'help', 投诉: 'complaint', 举报: 'report', 建议: 'suggestion', 表扬: 'praise' };
const URGENCY_NAMES: Record<string, string> = { 紧急: 'urgent', 加急: 'urgent', 一般: 'normal', 普通: 'normal' };

/** Parses `--map "来电号码=callerPhone,留言详情=content"`. */
export function parseMapOption(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(/[,，]/)) {
    const [col, field] = part.split('=').map((s) => s?.trim());
    if (!col || !field) throw validationError({ map: `映射格式应为 列名=字段: ${part}` });
    out[col] = field;
  }
  return out;
}

/** Reads a CSV or XLSX file into header-keyed rows (first row = headers; first worksheet). */
export async function readTable(file: string): Promise<Record<string, unknown>[]> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.txt') {
    return parse(fs.readFileSync(file), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as Record<string, unknown>[];
  }
  if (ext === '.xlsx') {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    if (!ws) return [];
    const headers: string[] = [];
    ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => (headers[col] = String(cell.text ?? '').trim()));
    const rows: Record<string, unknown>[] = [];
    for (let i = 2; i <= ws.rowCount; i++) {
      const r: Record<string, unknown> = {};
      ws.getRow(i).eachCell({ includeEmpty: false }, (cell, col) => {
        const h = headers[col];
        if (!h) return;
        const v = cell.value as unknown;
        r[h] = v instanceof Date ? v : v && typeof v === 'object' ? cell.text : v;
      });
      rows.push(r);
    }
    return rows;
  }
  throw validationError({ file: `不支持的文件类型 ${ext || '(无扩展名)'}：请使用 .csv 或 .xlsx` });
}

/** Maps one source row onto intake fields, converting spreadsheet conventions (Chinese type names, local times…). */
export function mapRow(src: Record<string, unknown>, mapping: Record<string, string>, channel: string): { input: Record<string, unknown>; columns: Record<string, string> } {
  const input: Record<string, unknown> = {};
  const columns: Record<string, string> = {};
  for (const [col, raw] of Object.entries(src)) {
    const field = mapping[col] ?? (FIELDS.includes(col) ? col : undefined);
    if (!field) continue;
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) continue;
    columns[field] = col;
    input[field] = convert(field, raw);
  }
  if (input.channel === undefined) input.channel = channel;
  return { input, columns };
}

function convert(field: string, raw: unknown): unknown {
  if (field === 'receivedAt') {
    if (raw instanceof Date) return raw.toISOString();
    const s = String(raw).trim().replace(/\//g, '-');
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
    if (m) {
      const p = (x: string | undefined) => (x ?? '0').padStart(2, '0');
      return `${m[1]}-${p(m[2])}-${p(m[3])}T${p(m[4])}:${p(m[5])}:${p(m[6])}+08:00`; // city local time
    }
    return s;
  }
  if (field === 'lng' || field === 'lat' || field === 'repeatOf') return typeof raw === 'number' ? raw : /^-?\d+(\.\d+)?$/.test(String(raw).trim()) ? Number(raw) : raw;
  if (field === 'keywords') return String(raw).split(/[,，、;；\s]+/).filter(Boolean);
  if (field === 'sensitive') return ['是', 'true', '1', 'yes', 'y'].includes(String(raw).trim().toLowerCase());
  if (field === 'requestType') return TYPE_NAMES[String(raw).trim()] ?? String(raw).trim();
  if (field === 'urgency') return URGENCY_NAMES[String(raw).trim()] ?? String(raw).trim();
  return typeof raw === 'string' ? raw : String(raw);
}

export async function importCases(
  ctx: AppContext,
  file: string,
  opts: { mapping?: Record<string, string>; mode?: ImportMode; channel?: string; actor: Actor },
): Promise<ImportResult> {
  const mode = opts.mode ?? 'all-or-nothing';
  const mapping = { ...DEFAULT_MAPPING, ...(opts.mapping ?? {}) };
  for (const [col, field] of Object.entries(opts.mapping ?? {})) if (!FIELDS.includes(field)) throw validationError({ mapping: `列「${col}」映射到未知字段 ${field}（可用: ${FIELDS.join(', ')}）` });
  const table = await readTable(file);
  const fileHash = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('base64url').slice(0, 16);
  const result: ImportResult = { file, mode, total: 0, imported: 0, duplicates: 0, failed: 0, committed: false, errors: [] };
  const refs = await loadRefs(ctx);

  // 1. Validate every row first (same schema and references as the API), so the report lists all problems.
  const good: { row: number; input: Record<string, unknown>; columns: Record<string, string> }[] = [];
  const bad = new Set<number>();
  const fail = (row: number, field: string, columns: Record<string, string>, message: string) => {
    result.errors.push({ row, field, column: columns[field] ?? null, message });
    bad.add(row);
  };
  for (const [i, src] of table.entries()) {
    const row = i + 2; // spreadsheet row number: row 1 holds the headers
    const { input, columns } = mapRow(src, mapping, opts.channel ?? 'import');
    if (!Object.keys(input).some((k) => k !== 'channel')) continue; // blank line
    result.total++;
    const parsed = CreateCaseSchema.safeParse(input);
    if (!parsed.success) {
      for (const [field, message] of Object.entries(zodFields(parsed.error))) fail(row, field, columns, message);
      continue;
    }
    const d = parsed.data;
    if (!refs.channels.has(d.channel)) fail(row, 'channel', columns, `渠道不存在: ${d.channel}`);
    if (d.categoryCode && !refs.categories.has(d.categoryCode)) fail(row, 'categoryCode', columns, `分类不存在: ${d.categoryCode}`);
    if (d.unitId && !refs.units.has(d.unitId)) fail(row, 'unitId', columns, `承办单位不存在: ${d.unitId}`);
    try {
      await resolvePlace(ctx.db, d);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      for (const [field, message] of Object.entries(err.fields ?? {})) fail(row, field, columns, message);
    }
    if (!bad.has(row)) good.push({ row, input, columns });
  }
  result.failed = bad.size;
  if (mode === 'all-or-nothing' && bad.size) return result;
  if (!good.length) return { ...result, committed: bad.size === 0 };

  // 2. Case numbers reserved outside the transaction, per local day.
  const byDay = new Map<string, number>();
  const dayOf = (r: (typeof good)[number]) => localDay(r.input.receivedAt ? new Date(String(r.input.receivedAt)) : new Date());
  for (const r of good) byDay.set(dayOf(r), (byDay.get(dayOf(r)) ?? 0) + 1);
  const numbers = new Map<string, string[]>();
  for (const [day, n] of byDay) numbers.set(day, await reserveCaseNos(ctx.db, day, n));

  // 3. One transaction for the whole batch; a row failing here aborts it (all-or-nothing) or is rolled back
  //    to its savepoint and reported (skip-bad-rows).
  const committed: CaseChange[] = [];
  try {
    await ctx.db.tx(async (tx) => {
      for (const r of good) {
        if (mode === 'skip-bad-rows') await tx.query('SAVEPOINT import_row');
        try {
          const c = await createCase(ctx, r.input, opts.actor, { tx, committed, idempotencyKey: `import:${fileHash}:${r.row}`, caseNo: numbers.get(dayOf(r))!.shift() });
          if (c.replayed) result.duplicates++;
          else result.imported++;
          if (mode === 'skip-bad-rows') await tx.query('RELEASE SAVEPOINT import_row');
        } catch (err) {
          const fields = err instanceof AppError && err.fields ? err.fields : { _: err instanceof Error ? err.message : String(err) };
          for (const [field, message] of Object.entries(fields)) result.errors.push({ row: r.row, field, column: r.columns[field] ?? null, message });
          result.failed++;
          if (mode === 'all-or-nothing') throw err;
          await tx.query('ROLLBACK TO SAVEPOINT import_row');
        }
      }
    });
    result.committed = true;
  } catch (err) {
    if (mode === 'skip-bad-rows' || !result.errors.length) throw err;
    result.imported = 0;
    result.duplicates = 0;
    committed.length = 0;
  }
  for (const ch of committed) runAfterCommit(ctx, ch);
  result.errors.sort((a, b) => a.row - b.row);
  return result;
}

async function loadRefs(ctx: AppContext) {
  const rows = await ctx.db.query<{ kind: string; code: string }>(
    `SELECT 'channel' AS kind, code FROM channels WHERE active UNION ALL SELECT 'category', code FROM categories UNION ALL SELECT 'unit', id FROM units WHERE active`,
  );
  const set = (k: string) => new Set(rows.filter((r) => r.kind === k).map((r) => r.code));
  return { channels: set('channel'), categories: set('category'), units: set('unit') };
}

/** The row-level error report as CSV (行号 = spreadsheet row, header = row 1). */
export function errorReportCsv(errors: ImportError[]): string {
  return '\ufeff' + stringify([['行号', '字段', '列名', '错误信息'], ...errors.map((e) => [e.row, e.field, e.column ?? '', e.message])]);
}
