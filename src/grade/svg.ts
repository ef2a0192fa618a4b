// The class report's charts, drawn as SVG by hand: bars and text only, no script, no style sheet, no
// link, so that a report shows the same offline, in a Markdown viewer and in a browser. Geometry is in
// doubles (where a bar ends on the page); every number a chart prints is a count given to it.
import { escapeHtml } from '../text/escape.js';

export interface Bar {
  label: string;
  count: number;
}

const FONT = 'font-family="Helvetica, Arial, sans-serif" font-size="12"';
const BAR = '#4a78b5';
const AXIS = '#555';
const fixed = (x: number) => String(Math.round(x * 10) / 10);

/** Columns side by side, one per bin (a score distribution), its count above it. */
export function columnChart(bars: Bar[], { title, xLabel, yLabel }: { title: string; xLabel: string; yLabel: string }): string {
  const left = 48;
  const top = 28;
  const plotH = 180;
  const slot = Math.max(28, Math.min(60, 600 / Math.max(1, bars.length)));
  const width = left + slot * bars.length + 16;
  const height = top + plotH + 52;
  const most = Math.max(1, ...bars.map((b) => b.count));
  const parts: string[] = [];
  parts.push(`<text x="${fixed(width / 2)}" y="16" text-anchor="middle" font-weight="bold">${escapeHtml(title)}</text>`);
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${fixed(width - 8)}" y2="${top + plotH}" stroke="${AXIS}"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="${AXIS}"/>`);
  parts.push(`<text x="${left - 6}" y="${top + plotH}" text-anchor="end">0</text>`, `<text x="${left - 6}" y="${top + 10}" text-anchor="end">${most}</text>`);
  parts.push(`<text x="12" y="${fixed(top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 12 ${fixed(top + plotH / 2)})">${escapeHtml(yLabel)}</text>`);
  bars.forEach((b, i) => {
    const h = (b.count / most) * plotH;
    const x = left + i * slot + slot * 0.12;
    parts.push(`<rect x="${fixed(x)}" y="${fixed(top + plotH - h)}" width="${fixed(slot * 0.76)}" height="${fixed(h)}" fill="${BAR}"><title>${escapeHtml(`${b.label}: ${b.count}`)}</title></rect>`);
    if (b.count > 0) parts.push(`<text x="${fixed(x + slot * 0.38)}" y="${fixed(top + plotH - h - 4)}" text-anchor="middle">${b.count}</text>`);
    parts.push(`<text x="${fixed(x + slot * 0.38)}" y="${top + plotH + 16}" text-anchor="middle" font-size="10">${escapeHtml(b.label)}</text>`);
  });
  parts.push(`<text x="${fixed(left + (slot * bars.length) / 2)}" y="${height - 10}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  return svg(width, height, title, parts);
}

/** One bar a row, each labelled on its left (where in the calculation the class went wrong). */
export function barChart(bars: Bar[], { title, xLabel }: { title: string; xLabel: string }): string {
  const labelW = Math.min(320, 16 + 7 * Math.max(4, ...bars.map((b) => b.label.length)));
  const row = 16;
  const top = 28;
  const plotW = 360;
  const width = labelW + plotW + 48;
  const height = top + row * bars.length + 36;
  const most = Math.max(1, ...bars.map((b) => b.count));
  const parts: string[] = [];
  parts.push(`<text x="${fixed(width / 2)}" y="16" text-anchor="middle" font-weight="bold">${escapeHtml(title)}</text>`);
  parts.push(`<line x1="${labelW}" y1="${top - 2}" x2="${labelW}" y2="${top + row * bars.length}" stroke="${AXIS}"/>`);
  bars.forEach((b, i) => {
    const y = top + i * row;
    const w = (b.count / most) * plotW;
    parts.push(`<text x="${labelW - 6}" y="${y + 12}" text-anchor="end" font-family="monospace" font-size="11">${escapeHtml(b.label)}</text>`);
    if (b.count > 0) {
      parts.push(`<rect x="${labelW}" y="${y + 2}" width="${fixed(w)}" height="${row - 4}" fill="${BAR}"><title>${escapeHtml(`${b.label}: ${b.count}`)}</title></rect>`);
      parts.push(`<text x="${fixed(labelW + w + 4)}" y="${y + 12}">${b.count}</text>`);
    }
  });
  parts.push(`<text x="${fixed(labelW + plotW / 2)}" y="${height - 8}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  return svg(width, height, title, parts);
}

function svg(width: number, height: number, title: string, parts: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fixed(width)}" height="${fixed(height)}" viewBox="0 0 ${fixed(width)} ${fixed(height)}" role="img" ${FONT}>`,
    `<title>${escapeHtml(title)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
