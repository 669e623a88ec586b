/**
 * Server-rendered SVG bar charts (no I/O, no script). Accessible per WAI "Accessible SVG" practice: role="img"
 * with a <title> and <desc> referenced by aria-labelledby, text in real <text> elements, and the page shows the
 * same numbers in a table beside each chart (the text alternative).
 */

export interface Bar { label: string; value: number; display?: string }

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function barChart(o: { id: string; title: string; desc: string; bars: Bar[]; max?: number }): string {
  const width = 640;
  const labelWidth = 210;
  const barArea = width - labelWidth - 90;
  const rowH = 28;
  const top = 8;
  const height = top * 2 + Math.max(1, o.bars.length) * rowH;
  const max = o.max ?? Math.max(1, ...o.bars.map((b) => b.value));
  const id = o.id.replace(/[^A-Za-z0-9_-]/g, '');
  const rows = o.bars.map((b, i) => {
    const y = top + i * rowH;
    const w = max > 0 ? Math.max(0, Math.round((b.value / max) * barArea)) : 0;
    return `<g><text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end" font-size="13" fill="#1f2933">${esc(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 4}" width="${w}" height="${rowH - 10}" fill="#2f5d8a"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 18}" font-size="13" fill="#1f2933">${esc(b.display ?? String(b.value))}</text></g>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" class="chart">` +
    `<title id="${id}-title">${esc(o.title)}</title><desc id="${id}-desc">${esc(o.desc)}</desc>${rows}</svg>`;
}

/** "12 of 40 (30%)": counts with their share, as charts and tables print them. */
export const share = (n: number, of: number) => `${n} of ${of}${of > 0 ? ` (${Math.round((n / of) * 100)}%)` : ''}`;

export interface PairedBar { label: string; before: number; after: number; beforeDisplay: string; afterDisplay: string }

/**
 * Two bars per row (before and after, on one 0..1 scale), for a pre/post comparison. Colour is never the only cue:
 * each bar's value label names its side ("Before" / "After"), and a legend names both.
 */
export function pairedBarChart(o: { id: string; title: string; desc: string; rows: PairedBar[]; legend: { before: string; after: string } }): string {
  const width = 640;
  const labelWidth = 210;
  const barArea = width - labelWidth - 175;
  const barH = 16;
  const rowH = barH * 2 + 14;
  const top = 30;
  const height = top + Math.max(1, o.rows.length) * rowH + 4;
  const id = o.id.replace(/[^A-Za-z0-9_-]/g, '');
  const colours = { before: '#6b7b8c', after: '#2f5d8a' };
  const clamp = (v: number) => Math.max(0, Math.min(1, v));
  const legend = `<g><rect x="${labelWidth}" y="6" width="12" height="12" fill="${colours.before}"/>` +
    `<text x="${labelWidth + 18}" y="16" font-size="12" fill="#1f2933">${esc(o.legend.before)}</text>` +
    `<rect x="${labelWidth + 200}" y="6" width="12" height="12" fill="${colours.after}"/>` +
    `<text x="${labelWidth + 218}" y="16" font-size="12" fill="#1f2933">${esc(o.legend.after)}</text></g>`;
  const rows = o.rows.map((r, i) => {
    const y = top + i * rowH;
    const bar = (side: 'before' | 'after', value: number, display: string, dy: number) => {
      const w = Math.round(clamp(value) * barArea);
      return `<rect x="${labelWidth}" y="${y + dy}" width="${w}" height="${barH}" fill="${colours[side]}"/>` +
        `<text x="${labelWidth + w + 6}" y="${y + dy + 12}" font-size="12" fill="#1f2933">${esc(display)}</text>`;
    };
    return `<g><text x="${labelWidth - 8}" y="${y + barH + 5}" text-anchor="end" font-size="13" fill="#1f2933">${esc(r.label)}</text>` +
      bar('before', r.before, `Before: ${r.beforeDisplay}`, 0) + bar('after', r.after, `After: ${r.afterDisplay}`, barH + 2) + '</g>';
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" class="chart">` +
    `<title id="${id}-title">${esc(o.title)}</title><desc id="${id}-desc">${esc(o.desc)}</desc>${legend}${rows}</svg>`;
}
