// The planner's map of the day: the city's roads from the service's own map layers
// (`/api/v1/map/{0,1,2}`, as the dispatchers' map draws them: no tile server, no CDN), each
// vehicle's planned route in its colour with its stops numbered, and the vehicles' last GPS
// fixes. Clicking a stop selects its trip. Routes follow the roads the van drives
// (`GET /api/v1/transport/plans/{date}/routes`, computed by the service per plan version); until
// those lines arrive, or for a route they do not cover, the stops are joined straight. The roads
// are drawn by the dispatchers' map's own code (`roadLayer`, `drawRoads` in `map.ts`).

import { api } from '../api';
import { h } from '../dom';
import { DEFAULT_ATTRIBUTION, drawRoads, LEVEL_AT, M_PER_DEG, roadLayer, type Layer } from '../map';
import { tt } from './i18n';

/** Distinct colours for up to twelve vehicles (then they repeat). */
export const VEHICLE_COLOURS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#ad1457', '#4e342e', '#283593', '#558b2f', '#f9a825', '#37474f'];
export const colourOf = (index: number) => VEHICLE_COLOURS[index % VEHICLE_COLOURS.length];

export interface MapStop {
  trip_id: string;
  pickup: boolean;
  lon: number;
  lat: number;
  late: boolean;
}

export interface MapRoute {
  vehicle_id: string;
  colour: string;
  depot: { lon: number; lat: number } | null;
  stops: MapStop[];
}

export interface MapPosition {
  vehicle_id: string;
  lon: number;
  lat: number;
  colour: string;
}

interface Hit {
  x: number;
  y: number;
  trip: string;
}

export class PlanMap {
  readonly el: HTMLElement;
  private canvas = h('canvas', { class: 'planmap-canvas', 'aria-label': 'map' });
  private status = h('div', { class: 'map-status muted' });
  private attribution = h('div', { class: 'map-attribution', 'data-field': 'attribution' }, DEFAULT_ATTRIBUTION);
  /** What is drawn, as elements (visually hidden): tests and screen readers read them. */
  private drawn = h('ul', { class: 'visually-hidden', 'data-field': 'map-drawn' });
  private layers: (Layer | null | 'loading' | 'failed')[] = [null, null, null];
  /** Road geometry per vehicle, `[lon, lat]` points, for the plan drawn. */
  private lines = new Map<string, [number, number][]>();
  private lat0 = 45.755;
  private lon0 = 21.227;
  private cx = 0;
  private cy = 0;
  private ppm = 0.05;
  private fitted = false;
  private routes: MapRoute[] = [];
  private positions: MapPosition[] = [];
  private selected: string | null = null;
  private hits: Hit[] = [];
  private frame = 0;

  constructor(private readonly onSelect: (trip: string) => void) {
    const zoom = h(
      'div',
      { class: 'map-zoom' },
      h('button', { type: 'button', 'aria-label': '+', onclick: () => this.zoomBy(1.6) }, '+'),
      h('button', { type: 'button', 'aria-label': '−', onclick: () => this.zoomBy(1 / 1.6) }, '−'),
    );
    this.el = h('div', { class: 'planmap-wrap' }, this.canvas, zoom, this.attribution, this.status, this.drawn);
    this.bindPointer();
    new ResizeObserver(() => this.redraw()).observe(this.canvas);
    void this.ensureLevel(0);
  }

  setData(routes: MapRoute[], positions: MapPosition[]): void {
    this.routes = routes;
    this.positions = positions;
    this.drawn.replaceChildren(
      ...routes
        .filter((r) => r.stops.length)
        .map((r) => h('li', { 'data-route': r.vehicle_id, 'data-stops': String(r.stops.length), 'data-points': String(this.lines.get(r.vehicle_id)?.length ?? 0) }, r.vehicle_id)),
      ...positions.map((p) => h('li', { 'data-position': p.vehicle_id }, p.vehicle_id)),
    );
    this.redraw();
  }

  /** The routes' road geometry (`roads`: along the roads, else straight legs from the service). */
  setLines(lines: { vehicle_id: string; path: [number, number][] }[], roads: boolean): void {
    this.lines = new Map(lines.map((l) => [l.vehicle_id, l.path]));
    this.canvas.dataset.roads = roads ? 'true' : 'false';
    for (const li of this.drawn.querySelectorAll<HTMLElement>('li[data-route]')) {
      li.dataset.points = String(this.lines.get(li.dataset.route ?? '')?.length ?? 0);
    }
    this.redraw();
  }

  select(trip: string | null): void {
    this.selected = trip;
    this.canvas.dataset.selected = trip ?? '';
    this.redraw();
  }

  private project(lon: number, lat: number): [number, number] {
    return [(lon - this.lon0) * M_PER_DEG * Math.cos((this.lat0 * Math.PI) / 180), (lat - this.lat0) * M_PER_DEG];
  }

  private async ensureLevel(level: number): Promise<void> {
    if (this.layers[level] !== null) return;
    this.layers[level] = 'loading';
    try {
      const geo = await api.map(level);
      if (!this.fitted && geo.bbox) {
        this.fitted = true;
        const [a, b, c, d] = geo.bbox;
        this.lat0 = (b + d) / 2;
        this.lon0 = (a + c) / 2;
        const [x1, y1] = this.project(a, b);
        const [x2, y2] = this.project(c, d);
        // The city's centre: the routes are inside the ring roads; the outskirts can be panned to.
        this.cx = (x1 + x2) / 2;
        this.cy = (y1 + y2) / 2;
        const w = this.canvas.clientWidth || 600;
        const hgt = this.canvas.clientHeight || 400;
        this.ppm = Math.min(w / (x2 - x1), hgt / (y2 - y1)) * 1.6;
      }
      this.layers[level] = roadLayer(geo, (p) => this.project(p.lon, p.lat));
      const attribution = geo.attribution ?? DEFAULT_ATTRIBUTION;
      this.attribution.textContent = attribution;
    } catch {
      this.layers[level] = 'failed';
    }
    this.redraw();
  }

  private zoomBy(f: number): void {
    this.ppm = Math.min(20, Math.max(0.005, this.ppm * f));
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
      const click = drag && !drag.moved;
      drag = null;
      if (!click) return;
      const r = this.canvas.getBoundingClientRect();
      const x = e.clientX - r.left;
      const y = e.clientY - r.top;
      const hit = [...this.hits].reverse().find((m) => (m.x - x) ** 2 + (m.y - y) ** 2 <= 100);
      if (hit) this.onSelect(hit.trip);
    });
    this.canvas.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8);
      },
      { passive: false },
    );
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
    const want = this.ppm >= LEVEL_AT[2] ? 2 : this.ppm >= LEVEL_AT[1] ? 1 : 0;
    void this.ensureLevel(want);
    let layer: Layer | null = null;
    for (let l = want; l >= 0 && !layer; l--) {
      const c = this.layers[l];
      if (c && typeof c === 'object') layer = c;
    }
    const sx = (x: number) => w / 2 + (x - this.cx) * this.ppm;
    const sy = (y: number) => hgt / 2 - (y - this.cy) * this.ppm;
    if (layer) {
      const [hw, hh] = [w / 2 / this.ppm, hgt / 2 / this.ppm];
      // The roads paler than on the dispatchers' map: here the vehicles' routes are the subject.
      g.globalAlpha = 0.6;
      drawRoads(g, layer, sx, sy, [this.cx - hw, this.cx + hw, this.cy - hh, this.cy + hh], this.ppm);
      g.globalAlpha = 1;
    }
    this.status.textContent = layer ? '' : this.layers[want] === 'failed' ? tt('map_unavailable') : tt('map_loading');
    this.drawRoutes(g, sx, sy);
  }

  private drawRoutes(g: CanvasRenderingContext2D, sx: (x: number) => number, sy: (y: number) => number): void {
    this.hits = [];
    const at = (lon: number, lat: number): [number, number] => {
      const [x, y] = this.project(lon, lat);
      return [sx(x), sy(y)];
    };
    for (const r of this.routes) {
      if (!r.stops.length) continue;
      const pts = r.stops.map((s) => at(s.lon, s.lat));
      const road = this.lines.get(r.vehicle_id);
      const path = road && road.length >= 2 ? road.map(([lon, lat]) => at(lon, lat)) : r.depot ? [at(r.depot.lon, r.depot.lat), ...pts, at(r.depot.lon, r.depot.lat)] : pts;
      g.strokeStyle = r.colour;
      g.globalAlpha = 0.8;
      g.lineWidth = road ? 3.5 : 3;
      g.lineJoin = 'round';
      g.setLineDash(road || r.depot ? [] : [6, 4]);
      g.beginPath();
      path.forEach(([x, y], i) => (i === 0 ? g.moveTo(x, y) : g.lineTo(x, y)));
      g.stroke();
      g.setLineDash([]);
      g.globalAlpha = 1;
      r.stops.forEach((s, i) => {
        const [x, y] = pts[i];
        const chosen = s.trip_id === this.selected;
        const radius = chosen ? 11 : 8;
        g.beginPath();
        if (s.pickup) g.arc(x, y, radius, 0, 2 * Math.PI);
        else g.rect(x - radius, y - radius, 2 * radius, 2 * radius);
        g.fillStyle = s.late ? '#b3261e' : r.colour;
        g.fill();
        g.lineWidth = chosen ? 3 : 1.5;
        g.strokeStyle = chosen ? '#ffab00' : '#fff';
        g.stroke();
        g.fillStyle = '#fff';
        g.font = 'bold 10px system-ui, sans-serif';
        g.textAlign = 'center';
        g.textBaseline = 'middle';
        g.fillText(String(i + 1), x, y + 0.5);
        this.hits.push({ x, y, trip: s.trip_id });
      });
    }
    for (const p of this.positions) {
      const [x, y] = at(p.lon, p.lat);
      g.beginPath();
      g.moveTo(x, y - 12);
      g.lineTo(x + 10, y + 8);
      g.lineTo(x - 10, y + 8);
      g.closePath();
      g.fillStyle = p.colour;
      g.fill();
      g.lineWidth = 2;
      g.strokeStyle = '#000';
      g.stroke();
      g.fillStyle = '#000';
      g.font = 'bold 11px system-ui, sans-serif';
      g.textAlign = 'left';
      g.fillText(p.vehicle_id, x + 12, y);
    }
  }
}
