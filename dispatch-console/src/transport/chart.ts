// A hand-drawn SVG chart of the report: one bar per day (done trips grey, no-shows red on
// top) and the on-time percentage as a line on the right-hand scale. No library, no CDN.

const NS = 'http://www.w3.org/2000/svg';

export interface DayPoint {
  date: string;
  done: number;
  no_shows: number;
  booked: number;
  on_time_pct: number | null;
}

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function reportChart(days: DayPoint[], width = 640, height = 220): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'report-chart', role: 'img' }) as SVGSVGElement;
  const pad = { l: 36, r: 40, t: 12, b: 28 };
  const w = width - pad.l - pad.r;
  const hgt = height - pad.t - pad.b;
  const max = Math.max(1, ...days.map((d) => d.booked));
  const step = days.length ? w / days.length : w;
  svg.append(el('line', { x1: pad.l, y1: pad.t + hgt, x2: pad.l + w, y2: pad.t + hgt, stroke: '#888' }));
  svg.append(el('text', { x: 4, y: pad.t + 10, 'font-size': 10 }, String(max)));
  svg.append(el('text', { x: pad.l + w + 4, y: pad.t + 10, 'font-size': 10 }, '100%'));
  const line: string[] = [];
  days.forEach((d, i) => {
    const x = pad.l + i * step + step * 0.15;
    const bw = step * 0.7;
    const hDone = (d.done / max) * hgt;
    const hNo = (d.no_shows / max) * hgt;
    const hBooked = (d.booked / max) * hgt;
    svg.append(el('rect', { x, y: pad.t + hgt - hBooked, width: bw, height: hBooked, fill: '#e3e6ea', 'data-date': d.date }));
    svg.append(el('rect', { x, y: pad.t + hgt - hDone, width: bw, height: hDone, fill: '#7a8591' }));
    svg.append(el('rect', { x, y: pad.t + hgt - hDone - hNo, width: bw, height: hNo, fill: '#c0392b' }));
    svg.append(el('text', { x: x + bw / 2, y: height - 10, 'font-size': 10, 'text-anchor': 'middle' }, d.date.slice(5)));
    if (d.on_time_pct !== null) line.push(`${x + bw / 2},${pad.t + hgt - (d.on_time_pct / 100) * hgt}`);
  });
  if (line.length) svg.append(el('polyline', { points: line.join(' '), fill: 'none', stroke: '#1f6feb', 'stroke-width': 2 }));
  return svg;
}
