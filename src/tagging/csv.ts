// Labelled CSV (header label,text; BOM, quoted newlines, extra columns tolerated) for the CLI and benchmarks.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';

export interface LabelledRow {
  label: string;
  text: string;
}

export function readLabelledCsv(file: string, opts: { requireLabel?: boolean } = {}): LabelledRow[] {
  const raw = fs.readFileSync(file, 'utf8');
  const records = parse(raw, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as Record<string, string>[];
  if (records.length && !('text' in records[0])) throw new Error(`${file}: 缺少 text 列 (表头应为 label,text)`);
  if (opts.requireLabel !== false && records.length && !('label' in records[0])) throw new Error(`${file}: 缺少 label 列 (表头应为 label,text)`);
  return records
    .map((r) => ({ label: (r.label ?? '').trim(), text: r.text ?? '' }))
    .filter((r) => opts.requireLabel === false || r.label !== '');
}
