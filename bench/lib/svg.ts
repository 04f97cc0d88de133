/**
 * ratios.svg: one bar per ratio target on a logarithmic axis centred on 1 ×. A bar runs from 1 to
 * the measured ratio (left: rxbroker takes less time than what it is compared with; right: more),
 * a whisker spans the rounds' extremes, and a black tick marks the target. Green passes, red misses.
 * Plain SVG written by hand; no chart library.
 */
import type { TargetResult } from './results.js';

const WIDTH = 960;
const LABEL_WIDTH = 300;
const VALUE_WIDTH = 110;
const ROW_HEIGHT = 26;
const TOP = 56;
const BOTTOM = 46;
const PLOT_LEFT = LABEL_WIDTH + 10;
const PLOT_RIGHT = WIDTH - VALUE_WIDTH;

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function ratioText(value: number): string {
  return value >= 10
    ? `${value.toFixed(0)} ×`
    : value >= 1
      ? `${value.toFixed(2)} ×`
      : `${value.toFixed(3)} ×`;
}

/** The chart of every charted target that has a value. */
export function ratiosSvg(targets: readonly TargetResult[], subtitle: string): string {
  const rows = targets.filter((target) => target.chart && target.value !== null);
  const values = rows
    .flatMap((row) => [row.value, row.min, row.max, row.limit])
    .filter((v): v is number => v !== null && v > 0 && Number.isFinite(v));
  // A symmetric decade range around 1 that holds every value.
  const reach = Math.max(
    1,
    Math.ceil(Math.max(...values.map((v) => Math.abs(Math.log10(v))), 0.5)),
  );
  const low = -reach;
  const high = reach;
  const x = (value: number): number =>
    PLOT_LEFT +
    ((Math.log10(Math.max(value, 10 ** low)) - low) / (high - low)) * (PLOT_RIGHT - PLOT_LEFT);
  const height = TOP + rows.length * ROW_HEIGHT + BOTTOM;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="22" font-size="15" font-weight="600">rxbroker: measured ratios against the targets of issue 3</text>`,
    `<text x="16" y="40" fill="#555">${escape(subtitle)}</text>`,
  );
  // Grid: every decade, plus 2 and 5 within it.
  for (let decade = low; decade <= high; decade++) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** decade;
      if (Math.log10(value) > high) continue;
      const gx = x(value).toFixed(1);
      const main = step === 1;
      out.push(
        `<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${TOP + rows.length * ROW_HEIGHT}" stroke="${main ? '#bbb' : '#eee'}"${value === 1 ? ' stroke-width="2"' : ''}/>`,
      );
      if (main || reach <= 1) {
        out.push(
          `<text x="${gx}" y="${TOP + rows.length * ROW_HEIGHT + 16}" text-anchor="middle" fill="#555">${value >= 1 ? value : value.toString()} ×</text>`,
        );
      }
    }
  }
  out.push(
    `<text x="${PLOT_LEFT}" y="${height - 10}" fill="#555">◀ rxbroker takes less time</text>`,
    `<text x="${PLOT_RIGHT}" y="${height - 10}" fill="#555" text-anchor="end">rxbroker takes more time ▶</text>`,
  );
  rows.forEach((row, i) => {
    const value = row.value as number;
    const cy = TOP + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    const colour = row.pass === true ? '#2e7d32' : '#c62828';
    const x1 = Math.min(x(1), x(value));
    const x2 = Math.max(x(1), x(value));
    out.push(
      `<text x="${LABEL_WIDTH}" y="${cy + 4}" text-anchor="end">${escape(row.label)}</text>`,
      `<rect x="${x1.toFixed(1)}" y="${cy - 8}" width="${Math.max(1, x2 - x1).toFixed(1)}" height="16" fill="${colour}" fill-opacity="0.75"><title>${escape(`${row.what}: ${ratioText(value)} (target ${row.target})`)}</title></rect>`,
    );
    if (row.min !== null && row.max !== null && row.max > row.min) {
      out.push(
        `<line x1="${x(row.min).toFixed(1)}" y1="${cy}" x2="${x(row.max).toFixed(1)}" y2="${cy}" stroke="#222" stroke-width="1"/>`,
        `<line x1="${x(row.min).toFixed(1)}" y1="${cy - 4}" x2="${x(row.min).toFixed(1)}" y2="${cy + 4}" stroke="#222"/>`,
        `<line x1="${x(row.max).toFixed(1)}" y1="${cy - 4}" x2="${x(row.max).toFixed(1)}" y2="${cy + 4}" stroke="#222"/>`,
      );
    }
    const tx = x(row.limit).toFixed(1);
    out.push(
      `<line x1="${tx}" y1="${cy - 11}" x2="${tx}" y2="${cy + 11}" stroke="#000" stroke-width="3"><title>target ${escape(row.target)}</title></line>`,
      `<text x="${PLOT_RIGHT + 8}" y="${cy + 4}" fill="${colour}" font-weight="600">${ratioText(value)} ${row.pass === true ? '✓' : '✗'}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}
