// A report as data: headings, paragraphs, tables and charts (ECharts options). Built once from the metric
// functions, then rendered to DOCX or PDF, so both formats say exactly the same numbers.
export type Block =
  | { type: 'p'; text: string }
  | { type: 'table'; title?: string; columns: string[]; rows: (string | number)[][] }
  | { type: 'chart'; title: string; option: Record<string, unknown>; width: number; height: number };

export interface Section { heading: string; blocks: Block[] }

export interface ReportDoc {
  title: string;
  subtitle: string;
  issuer: string;
  sections: Section[];
}

export type ReportFormat = 'docx' | 'pdf';
