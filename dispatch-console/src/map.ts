// The map of Timișoara, drawn on a <canvas> from the road layers the service serves
// (`/api/v1/map/{0,1,2}`): no tile server and no CDN, so it keeps working when the centre's
// internet link is down. Projection: equirectangular scaled by cos(latitude) at the centre of
// the extract, which over a city of 15 km differs from Web Mercator by less than a pixel and
// lets us pre-project every road once into metres.

import { api, type MapGeoJson } from './api';
import { h } from './dom';
import { errorText, t, term } from './i18n';
import { who } from './subject';
import type { Item, LonLat, Resource } from './types';
import { itemPosition } from './types';

export const M_PER_DEG = 111_320;
export const DEFAULT_ATTRIBUTION = '© OpenStreetMap contributors';
// Pixels per metre at which the next level of detail is loaded. Below the first threshold the
// whole city shows and side streets would only be noise; level 2 holds every street.
export const LEVEL_AT = [0, 0.12, 0.45];

interface Line {
  cls: string;
  name: string;
  xy: Float64Array;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** A road layer pre-projected into metres (see [`roadLayer`]). */
export interface Layer {
  lines: Line[];
  attribution: string;
}

const STYLE: Record<string, [string, number]> = {
  motorway: ['#e07b39', 4],
  trunk: ['#e08f39', 3.5],
  primary: ['#e6a94b', 3],
  secondary: ['#d9c25a', 2.5],
  tertiary: ['#b9b9b9', 2],
  unclassified: ['#c7c7c7', 1.5],
  residential: ['#cfcfcf', 1.2],
  living_street: ['#cfcfcf', 1],
  service: ['#dedede', 0.8],
  pedestrian: ['#d6cfe6', 1],
  road: ['#d0d0d0', 1],
};

const LEVEL_COLOUR: Record<string, string> = { P1: '#c62828', P2: '#ef6c00', P3: '#1565c0', P4: '#607d8b' };

interface Marker {
  x: number;
  y: number;
  r: number;
  onClick?: () => void;
}

export class MapView {
  readonly el: HTMLElement;
  private canvas = h('canvas', { class: 'map-canvas', 'aria-label': 'map' });
  private attribution = h('div', { class: 'map-attribution', 'data-field': 'attribution' }, DEFAULT_ATTRIBUTION);
  private status = h('div', { class: 'map-status muted' });
  private results = h('ul', { class: 'geocode-results' });
  private input = h('input', { type: 'search', name: 'address', autocomplete: 'off' });
  private layers: (Layer | null | 'loading' | 'failed')[] = [null, null, null];
  /** Reference latitude of the projection (centre of the extract). */
  private lat0 = 45.755;
  private lon0 = 21.227;
  private cx = 0;
  private cy = 0;
  private ppm = 0.06;
  private items: Item[] = [];
  private resources: Resource[] = [];
  private pin: { at: LonLat; label: string } | null = null;
  private markers: Marker[] = [];
  private selected: string | null = null;
  private pendingCentre: string | null = null;
  /** The place last centred on, kept through the first fit of the map to the city. */
  private focusAt: LonLat | null = null;
  /** The item markers as elements (visually hidden): keyboard and screen readers reach them, and
   * the tests read where each one is drawn. */
  private list = h('ul', { class: 'map-markers visually-hidden', 'aria-label': 'markers' });
  private fitted = false;
  private frame = 0;

  constructor(private readonly onSelectItem: (id: string) => void) {
    const form = h(
      'form',
      { class: 'geocode', onsubmit: (e: Event) => { e.preventDefault(); void this.search(); } },
      this.input,
      h('button', { type: 'submit' }, t('search')),
    );
    const zoom = h(
      'div',
      { class: 'map-zoom' },
      h('button', { type: 'button', 'aria-label': '+', onclick: () => this.zoomBy(1.6) }, '+'),
      h('button', { type: 'button', 'aria-label': '−', onclick: () => this.zoomBy(1 / 1.6) }, '−'),
    );
    this.el = h(
      'section',
      { class: 'panel map' },
      h('header', { class: 'panel-head' }, h('h2', { 'data-i18n': 'map' }, t('map')), form),
      h('div', { class: 'map-wrap' }, this.canvas, zoom, this.attribution, this.status, this.results, this.list),
    );
    this.relabel();
    this.bindPointer();
    new ResizeObserver(() => this.redraw()).observe(this.canvas);
    void this.ensureLevel(0);
  }

  relabel(): void {
    this.input.placeholder = t('search_address');
    const title = this.el.querySelector('h2');
    if (title) title.textContent = t('map');
    const btn = this.el.querySelector('form.geocode button');
    if (btn) btn.textContent = t('search');
    this.redraw();
  }

  setData(items: Item[], resources: Resource[]): void {
    this.items = items;
    this.resources = resources;
    // An item opened before the live state held it (a shared link): centre once it arrives.
    if (this.pendingCentre && this.select(this.pendingCentre, true)) this.pendingCentre = null;
    this.redraw();
  }

  /** Highlights an item's marker (the one open in the detail); `centre` also brings it to the
   * middle of the map at street level, when it has a place. */
  select(id: string | null, centre = false): boolean {
    this.selected = id;
    this.pendingCentre = null;
    this.canvas.dataset.selected = id ?? '';
    const item = id ? this.items.find((i) => i.id === id) : undefined;
    const at = item ? itemPosition(item) : undefined;
    if (centre && at) {
      this.focusAt = at;
      [this.cx, this.cy] = this.project(at);
      this.ppm = Math.max(this.ppm, 0.8);
    } else if (centre && id && !item) {
      this.pendingCentre = id;
    }
    this.redraw();
    return !!at;
  }

  /** Centres the map on a place at street level and drops a pin there. */
  locate(at: LonLat, label = ''): void {
    this.pin = { at, label };
    this.focusAt = at;
    [this.cx, this.cy] = this.project(at);
    this.ppm = Math.max(this.ppm, 0.8);
    this.redraw();
  }

  private project(p: LonLat): [number, number] {
    return [(p.lon - this.lon0) * M_PER_DEG * Math.cos((this.lat0 * Math.PI) / 180), (p.lat - this.lat0) * M_PER_DEG];
  }

  private level(): number {
    return this.ppm >= LEVEL_AT[2] ? 2 : this.ppm >= LEVEL_AT[1] ? 1 : 0;
  }

  private async ensureLevel(level: number): Promise<void> {
    if (this.layers[level] !== null) return;
    this.layers[level] = 'loading';
    try {
      const geo = await api.map(level);
      this.layers[level] = this.toLayer(geo);
      if (!this.fitted && geo.bbox) {
        this.fitted = true;
        const [a, b, c, d] = geo.bbox;
        this.lat0 = (b + d) / 2;
        this.lon0 = (a + c) / 2;
        // Re-project: the reference changed with the first layer's extent.
        this.layers[level] = this.toLayer(geo);
        const w = this.canvas.clientWidth || 600;
        const hgt = this.canvas.clientHeight || 400;
        const [x1, y1] = this.project({ lon: a, lat: b });
        const [x2, y2] = this.project({ lon: c, lat: d });
        this.cx = (x1 + x2) / 2;
        this.cy = (y1 + y2) / 2;
        this.ppm = Math.min(w / (x2 - x1), hgt / (y2 - y1)) * 0.95;
        const keep = this.pin?.at ?? this.focusAt;
        if (keep) {
          [this.cx, this.cy] = this.project(keep);
          this.ppm = Math.max(this.ppm, 0.8);
        }
      }
    } catch {
      this.layers[level] = 'failed';
    }
    this.redraw();
  }

  private toLayer(geo: MapGeoJson): Layer {
    return roadLayer(geo, (p) => this.project(p));
  }

  private zoomBy(f: number, ax?: number, ay?: number): void {
    const w = this.canvas.clientWidth;
    const hgt = this.canvas.clientHeight;
    const px = ax ?? w / 2;
    const py = ay ?? hgt / 2;
    // Keep the point under the cursor fixed while zooming.
    const mx = this.cx + (px - w / 2) / this.ppm;
    const my = this.cy - (py - hgt / 2) / this.ppm;
    this.ppm = Math.min(20, Math.max(0.005, this.ppm * f));
    this.cx = mx - (px - w / 2) / this.ppm;
    this.cy = my + (py - hgt / 2) / this.ppm;
    this.redraw();
  }

  private bindPointer(): void {
    let drag: { x: number; y: number; moved: boolean } | null = null;
    this.canvas.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: false };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      this.cx -= dx / this.ppm;
      this.cy += dy / this.ppm;
      drag.x = e.clientX;
      drag.y = e.clientY;
      this.redraw();
    });
    this.canvas.addEventListener('pointerup', (e) => {
      const wasClick = drag && !drag.moved;
      drag = null;
      if (!wasClick) return;
      const r = this.canvas.getBoundingClientRect();
      const x = e.clientX - r.left;
      const y = e.clientY - r.top;
      const hit = [...this.markers].reverse().find((m) => m.onClick && (m.x - x) ** 2 + (m.y - y) ** 2 <= (m.r + 3) ** 2);
      hit?.onClick?.();
    });
    this.canvas.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = this.canvas.getBoundingClientRect();
        this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
      },
      { passive: false },
    );
  }

  private async search(): Promise<void> {
    const q = this.input.value.trim();
    this.results.replaceChildren();
    if (!q) return;
    try {
      const { candidates } = await api.geocode(q, 8);
      if (!candidates.length) {
        this.results.append(h('li', { class: 'muted' }, t('no_results')));
        return;
      }
      for (const c of candidates) {
        this.results.append(
          h(
            'li',
            {},
            h('button', { type: 'button', class: 'link', onclick: () => { this.results.replaceChildren(); this.locate(c.position, c.label); } }, c.label),
            h('span', { class: 'muted', 'data-kind': c.kind }, ` ${term(c.kind)}`),
          ),
        );
      }
    } catch (e) {
      this.results.append(h('li', { class: 'error' }, errorText(e)));
    }
  }

  redraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const hgt = this.canvas.clientHeight;
    if (!w || !hgt) return;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(hgt * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(hgt * dpr);
    }
    const g = this.canvas.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = '#f4f1ea';
    g.fillRect(0, 0, w, hgt);

    const want = this.level();
    void this.ensureLevel(want);
    // Draw the most detailed layer we have up to the one wanted; a coarser one stands in
    // while the finer one loads.
    let layer: Layer | null = null;
    for (let l = want; l >= 0 && !layer; l--) {
      const c = this.layers[l];
      if (c && typeof c === 'object') layer = c;
    }
    const sx = (x: number) => w / 2 + (x - this.cx) * this.ppm;
    const sy = (y: number) => hgt / 2 - (y - this.cy) * this.ppm;
    const halfW = w / 2 / this.ppm;
    const halfH = hgt / 2 / this.ppm;
    const [vx0, vx1, vy0, vy1] = [this.cx - halfW, this.cx + halfW, this.cy - halfH, this.cy + halfH];
    if (layer) {
      drawRoads(g, layer, sx, sy, [vx0, vx1, vy0, vy1], this.ppm);
      this.attribution.textContent = layer.attribution || DEFAULT_ATTRIBUTION;
    }
    const state = this.layers[want];
    this.status.textContent = !layer ? (state === 'failed' ? t('map_unavailable') : t('map_loading')) : '';
    this.drawMarkers(g, sx, sy);
  }

  private drawMarkers(g: CanvasRenderingContext2D, sx: (x: number) => number, sy: (y: number) => number): void {
    this.markers = [];
    // Resources often share a position (the depot): one marker with a count.
    const groups = new Map<string, Resource[]>();
    for (const r of this.resources) {
      if (!r.position) continue;
      const [x, y] = this.project(r.position);
      const key = `${Math.round(sx(x))}:${Math.round(sy(y))}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [key, rs] of groups) {
      const [x, y] = key.split(':').map(Number);
      const busy = rs.some((r) => r.status !== 'available' && r.status !== 'off_duty');
      g.fillStyle = busy ? '#6a1b9a' : '#2e7d32';
      g.strokeStyle = '#fff';
      g.lineWidth = 2;
      g.beginPath();
      g.rect(x - 8, y - 8, 16, 16);
      g.fill();
      g.stroke();
      g.fillStyle = '#fff';
      g.font = 'bold 10px system-ui, sans-serif';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText(rs.length > 1 ? String(rs.length) : rs[0].kind === 'vehicle' ? 'V' : rs[0].kind === 'driver' ? 'Ș' : 'E', x, y + 0.5);
      if (rs.length === 1 || this.ppm > 1) {
        g.fillStyle = '#333';
        g.textAlign = 'left';
        g.font = '10px system-ui, sans-serif';
        g.fillText(rs.length === 1 ? rs[0].id : `${rs.length} ${term('vehicle')}/${term('driver')}/EMIU`, x + 11, y);
      }
    }
    // Items: the open one last (on top) and larger, with a ring; a P1 on top of the rest.
    const shown = this.items
      .filter((i) => itemPosition(i))
      .sort((a, b) => Number(a.id === this.selected) - Number(b.id === this.selected) || b.priority.level.localeCompare(a.priority.level));
    const listed: HTMLElement[] = [];
    for (const item of shown) {
      const p = itemPosition(item)!;
      const [mx, my] = this.project(p);
      const x = sx(mx);
      const y = sy(my);
      const sel = item.id === this.selected;
      const r = sel ? 13 : 10;
      if (sel) {
        g.strokeStyle = '#0d47a1';
        g.lineWidth = 4;
        g.beginPath();
        g.arc(x, y, r + 6, 0, Math.PI * 2);
        g.stroke();
      }
      g.fillStyle = LEVEL_COLOUR[item.priority.level] ?? '#333';
      g.strokeStyle = item.status === 'new' ? '#000' : '#fff';
      g.lineWidth = 2;
      g.beginPath();
      if (item.kind === 'alert') {
        g.arc(x, y, r, 0, Math.PI * 2);
      } else {
        // Calls, callbacks and bookings: a diamond, so an alarm and a call at one place differ.
        g.moveTo(x, y - r - 2);
        g.lineTo(x + r + 2, y);
        g.lineTo(x, y + r + 2);
        g.lineTo(x - r - 2, y);
        g.closePath();
      }
      g.fill();
      g.stroke();
      g.fillStyle = '#fff';
      g.font = 'bold 10px system-ui, sans-serif';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText(item.priority.level, x, y + 0.5);
      if (sel || this.ppm > 1.5) {
        const name = who(item);
        g.font = sel ? 'bold 12px system-ui, sans-serif' : '11px system-ui, sans-serif';
        g.textAlign = 'left';
        g.lineWidth = 3;
        g.strokeStyle = '#fff';
        g.strokeText(name, x + r + 5, y);
        g.fillStyle = '#1c2530';
        g.fillText(name, x + r + 5, y);
      }
      this.markers.push({ x, y, r, onClick: () => this.onSelectItem(item.id) });
      listed.push(
        h(
          'li',
          { 'data-marker-item': item.id, 'data-x': Math.round(x), 'data-y': Math.round(y), 'data-selected': sel ? 'true' : 'false' },
          h('button', { type: 'button', tabindex: -1, onclick: () => this.onSelectItem(item.id) }, `${item.priority.level} ${who(item)}`),
        ),
      );
    }
    this.list.replaceChildren(...listed);
    if (this.pin) {
      const [px, py] = this.project(this.pin.at);
      const x = sx(px);
      const y = sy(py);
      g.fillStyle = '#d32f2f';
      g.strokeStyle = '#fff';
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(x, y);
      g.arc(x, y - 18, 8, Math.PI * 0.8, Math.PI * 2.2);
      g.closePath();
      g.fill();
      g.stroke();
      if (this.pin.label) {
        g.font = 'bold 12px system-ui, sans-serif';
        g.textAlign = 'left';
        g.textBaseline = 'middle';
        g.lineWidth = 3;
        g.strokeText(this.pin.label, x + 12, y - 18);
        g.fillStyle = '#b71c1c';
        g.fillText(this.pin.label, x + 12, y - 18);
      }
    }
  }
}

/** Pre-projects a map layer's roads into metres with `project`, minor roads first so main roads
 * are drawn on top. Shared by the dispatchers' map and the transport planner's map. */
export function roadLayer(geo: MapGeoJson, project: (p: LonLat) => [number, number]): Layer {
  const lines: Line[] = [];
  for (const f of geo.features) {
    if (f.geometry.type !== 'LineString') continue;
    const coords = f.geometry.coordinates as [number, number][];
    const xy = new Float64Array(coords.length * 2);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    coords.forEach(([lon, lat], i) => {
      const [x, y] = project({ lon, lat });
      xy[2 * i] = x;
      xy[2 * i + 1] = y;
      minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    });
    lines.push({ cls: f.properties.class ?? 'road', name: f.properties.name ?? '', xy, minX, minY, maxX, maxY });
  }
  const rank = (c: string) => Object.keys(STYLE).length - Object.keys(STYLE).indexOf(c.replace('_link', ''));
  lines.sort((a, b) => rank(a.cls) - rank(b.cls));
  return { lines, attribution: geo.attribution ?? DEFAULT_ATTRIBUTION };
}

/** Draws a road layer (those inside the view `[x0, x1, y0, y1]`, metres) at `ppm` pixels per
 * metre, with street names when zoomed in far enough. */
export function drawRoads(
  g: CanvasRenderingContext2D,
  layer: Layer,
  sx: (x: number) => number,
  sy: (y: number) => number,
  [vx0, vx1, vy0, vy1]: number[],
  ppm: number,
): void {
  g.lineCap = 'round';
  g.lineJoin = 'round';
  const widthScale = Math.min(2.2, Math.max(0.6, ppm / 0.25));
  for (const line of layer.lines) {
    if (line.maxX < vx0 || line.minX > vx1 || line.maxY < vy0 || line.minY > vy1) continue;
    const [colour, width] = STYLE[line.cls.replace('_link', '')] ?? STYLE.road;
    g.strokeStyle = colour;
    g.lineWidth = width * widthScale;
    g.beginPath();
    for (let i = 0; i < line.xy.length; i += 2) {
      const x = sx(line.xy[i]);
      const y = sy(line.xy[i + 1]);
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    }
    g.stroke();
  }
  if (ppm < 1.2) return;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#555';
  g.textAlign = 'center';
  const seen = new Set<string>();
  for (const line of layer.lines) {
    if (!line.name || seen.has(line.name)) continue;
    if (line.maxX < vx0 || line.minX > vx1 || line.maxY < vy0 || line.minY > vy1) continue;
    const len = Math.hypot(line.maxX - line.minX, line.maxY - line.minY) * ppm;
    if (len < 80) continue;
    seen.add(line.name);
    const mid = Math.floor(line.xy.length / 4) * 2;
    g.fillText(line.name, sx(line.xy[mid]), sy(line.xy[mid + 1]) - 4);
  }
}
