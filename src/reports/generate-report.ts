// One entry point for CLI, API and the monthly schedule: build the report from the metrics, render it.
import type { Db } from '../store/db.ts';
import { buildReport, type ReportSpec } from './build-report.ts';
import type { ReportFormat } from './model.ts';
import { renderDocx } from './render-docx.ts';
import { renderPdf } from './render-pdf.ts';

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

export async function generateReport(db: Db, spec: ReportSpec, format: ReportFormat): Promise<{ title: string; data: Buffer; contentType: string; fileName: string }> {
  const doc = await buildReport(db, spec);
  const data = format === 'pdf' ? await renderPdf(doc) : await renderDocx(doc);
  const period = spec.kind === 'monthly' ? spec.month : `${spec.from}_${spec.to}`;
  return { title: doc.title, data, contentType: CONTENT_TYPES[format], fileName: `${spec.kind === 'monthly' ? '月报' : '专报'}_${period}.${format}` };
}
