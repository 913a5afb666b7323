// PDF via pdfkit with the Noto Sans CJK font embedded (subset) and ECharts SVG drawn as vectors by
// svg-to-pdfkit. Tables are drawn as simple ruled grids.
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { renderChartSvg } from './charts.ts';
import { ZH_NUMERALS } from './render-docx.ts';
import type { ReportDoc } from './model.ts';

export const CJK_REGULAR = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const CJK_BOLD = '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc';

export async function renderPdf(doc: ReportDoc): Promise<Buffer> {
  if (!fs.existsSync(CJK_REGULAR)) throw new Error(`缺少中文字体 ${CJK_REGULAR}（Debian 软件包 fonts-noto-cjk）`);
  const pdf = new PDFDocument({ size: 'A4', margins: { top: 60, bottom: 60, left: 60, right: 60 }, info: { Title: doc.title, Author: doc.issuer }, bufferPages: true });
  pdf.registerFont('cjk', CJK_REGULAR, 'NotoSansCJKsc-Regular');
  pdf.registerFont('cjk-bold', fs.existsSync(CJK_BOLD) ? CJK_BOLD : CJK_REGULAR, fs.existsSync(CJK_BOLD) ? 'NotoSansCJKsc-Bold' : 'NotoSansCJKsc-Regular');
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => pdf.on('end', () => resolve()));
  const width = pdf.page.width - 120;
  const ensure = (h: number) => { if (pdf.y + h > pdf.page.height - 60) pdf.addPage(); };

  pdf.font('cjk-bold').fontSize(18).text(doc.title, { align: 'center' });
  pdf.moveDown(0.5).font('cjk').fontSize(11).text(doc.subtitle, { align: 'center' }).moveDown(1);
  doc.sections.forEach((s, i) => {
    ensure(40);
    pdf.font('cjk-bold').fontSize(14).text(`${ZH_NUMERALS[i] ?? i + 1}、${s.heading}`, 60).moveDown(0.4);
    for (const b of s.blocks) {
      if (b.type === 'p') {
        pdf.font('cjk').fontSize(11).text(b.text, 60, undefined, { width, indent: 22, lineGap: 4 }).moveDown(0.4);
      } else if (b.type === 'table') {
        if (b.title) { ensure(40); pdf.font('cjk-bold').fontSize(10).text(b.title, 60, undefined, { width, align: 'center' }).moveDown(0.2); }
        const colW = width / b.columns.length;
        const row = (cells: (string | number)[], bold: boolean) => {
          pdf.font(bold ? 'cjk-bold' : 'cjk').fontSize(9);
          const h = Math.max(...cells.map((c) => pdf.heightOfString(String(c), { width: colW - 6 }))) + 6;
          ensure(h);
          const y = pdf.y;
          cells.forEach((c, j) => {
            pdf.rect(60 + j * colW, y, colW, h).lineWidth(0.5).stroke('#888888');
            pdf.fillColor('#000000').text(String(c), 63 + j * colW, y + 3, { width: colW - 6 });
          });
          pdf.x = 60;
          pdf.y = y + h;
        };
        row(b.columns, true);
        for (const r of b.rows) row(r, false);
        pdf.moveDown(0.6);
      } else {
        const scale = Math.min(1, width / b.width);
        ensure(b.height * scale + 24);
        const svg = renderChartSvg(b.option, b.width, b.height);
        const y = pdf.y;
        SVGtoPDF(pdf, svg, 60 + (width - b.width * scale) / 2, y, { width: b.width * scale, height: b.height * scale, fontCallback: () => 'cjk' });
        pdf.x = 60;
        pdf.y = y + b.height * scale + 4;
        pdf.font('cjk').fontSize(9).text(b.title, 60, undefined, { width, align: 'center' }).moveDown(0.6);
      }
    }
  });
  ensure(40);
  pdf.moveDown(1).font('cjk').fontSize(11).text(doc.issuer, 60, undefined, { width, align: 'right' });
  const range = pdf.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    pdf.switchToPage(range.start + i);
    pdf.font('cjk').fontSize(9).text(`— ${i + 1} —`, 60, pdf.page.height - 45, { width, align: 'center', lineBreak: false });
  }
  pdf.end();
  await done;
  return Buffer.concat(chunks);
}
