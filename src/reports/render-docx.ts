// DOCX in the style of a government report: 方正小标宋-like centred title, 黑体 numbered headings
// (一、二、…), 仿宋-like body; charts as SVG images (with a plain PNG fallback for old Word).
import { AlignmentType, Document, HeadingLevel, ImageRun, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { blankPng, renderChartSvg } from './charts.ts';
import type { ReportDoc } from './model.ts';

export const ZH_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const FONT = { ascii: 'Noto Sans CJK SC', eastAsia: 'Noto Sans CJK SC', hAnsi: 'Noto Sans CJK SC' };

export async function renderDocx(doc: ReportDoc): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 200 }, children: [new TextRun({ text: doc.title, bold: true, size: 36, font: FONT })] }),
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 300 }, children: [new TextRun({ text: doc.subtitle, size: 24, font: FONT })] }),
  ];
  doc.sections.forEach((s, i) => {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 240, after: 120 }, children: [new TextRun({ text: `${ZH_NUMERALS[i] ?? i + 1}、${s.heading}`, bold: true, size: 30, font: FONT })] }));
    for (const b of s.blocks) {
      if (b.type === 'p') children.push(new Paragraph({ indent: { firstLine: 480 }, spacing: { after: 120, line: 360 }, children: [new TextRun({ text: b.text, size: 24, font: FONT })] }));
      else if (b.type === 'table') {
        if (b.title) children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: b.title, bold: true, size: 21, font: FONT })] }));
        const cell = (t: string | number, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: String(t), bold, size: 20, font: FONT })] })] });
        children.push(new Table({
          width: { size: 100, type: WidthType.PERCENTAGE },
          rows: [new TableRow({ tableHeader: true, children: b.columns.map((c) => cell(c, true)) }), ...b.rows.map((r) => new TableRow({ children: r.map((x) => cell(x)) }))],
        }));
        children.push(new Paragraph({ children: [] }));
      } else {
        const svg = renderChartSvg(b.option, b.width, b.height);
        children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new ImageRun({ type: 'svg', data: Buffer.from(svg), transformation: { width: b.width, height: b.height }, fallback: { type: 'png', data: blankPng(b.width, b.height) }, altText: { title: b.title, description: b.title, name: b.title } })] }));
        children.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 120 }, children: [new TextRun({ text: b.title, size: 20, font: FONT })] }));
      }
    }
  });
  children.push(new Paragraph({ alignment: AlignmentType.RIGHT, spacing: { before: 400 }, children: [new TextRun({ text: doc.issuer, size: 24, font: FONT })] }));
  const d = new Document({ creator: doc.issuer, title: doc.title, styles: { default: { document: { run: { font: FONT } } } }, sections: [{ children }] });
  return Packer.toBuffer(d);
}
