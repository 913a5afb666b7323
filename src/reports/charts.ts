// ECharts rendered on the server to SVG (no animation), with the CJK font family named so that PDF and
// Word pick the embedded Noto Sans CJK. Outside-label `paint-order` strokes are stripped (svg-to-pdfkit
// ignores paint-order and would draw thick outlines over the text).
import * as echarts from 'echarts';
import zlib from 'node:zlib';

export const CJK_FONT = 'Noto Sans CJK SC';

export function renderChartSvg(option: Record<string, unknown>, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: CJK_FONT }, backgroundColor: '#ffffff', ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg.replace(/\s?paint-order="[^"]*"/g, '').replace(/\s?stroke-linejoin="round"(?=[^>]*stroke-width="\d)/g, '');
}

export function barOption(title: string, names: string[], values: number[], horizontal = false): Record<string, unknown> {
  const cat = { type: 'category', data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : names.length > 6 ? 30 : 0, fontSize: 11 } };
  const val = { type: 'value' };
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid: { left: horizontal ? 120 : 50, right: 30, top: 40, bottom: horizontal ? 30 : 70 },
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? { ...cat, inverse: true } : val,
    series: [{ type: 'bar', data: values, itemStyle: { color: '#c23531' }, label: { show: true, position: horizontal ? 'right' : 'top', fontSize: 10 } }],
  };
}

export function lineOption(title: string, names: string[], series: { name: string; values: (number | null)[] }[]): Record<string, unknown> {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    grid: { left: 50, right: 30, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: names, axisLabel: { fontSize: 10 } },
    yAxis: { type: 'value' },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.values, showSymbol: false })),
  };
}

export function pieOption(title: string, items: { name: string; value: number }[]): Record<string, unknown> {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    series: [{ type: 'pie', radius: ['30%', '60%'], center: ['50%', '55%'], data: items, label: { formatter: '{b} {d}%', fontSize: 11, color: '#333333', textBorderWidth: 0 } }],
  };
}

/** A plain white PNG of the chart's size: the fallback picture Word shows only when it cannot draw SVG. */
export function blankPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit greyscale
  const row = Buffer.alloc(width + 1, 0xff);
  row[0] = 0;
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) row.copy(raw, y * (width + 1));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
