// The EMIU team's page (`/emiu`, phone-sized): the cases sent to the team arrive live over the
// websocket; opening one shows the case, the victim's address, the route from the team (drawn
// from the service's road network), the risk form, the measures with shelter placement, the
// report and the case file. The server decides who may see a case: a refusal (a driver, or a
// dispatcher who does not handle it) is shown as such and nothing of the case is drawn.

import './emergency.css';
import { ApiError } from './api';
import { clear, h } from './dom';
import { formatNumber, formatTime, term } from './i18n';
import { te, termE, type EKey } from './i18n-emergency';
import { Live } from './live';
import { queueOrder } from './state';
import { topBar } from './topbar';
import type { CaseRecord, Item, LonLat, Me } from './types';
import { shortId } from './types';
import {
  arrivalLeftText,
  childrenBox,
  closeBox,
  describeProcedure,
  hazardBanner,
  hazardForm,
  ordersBox,
  policeBox,
  refusalText,
  type Hazard,
} from './emiu-procedure';

interface RiskItem {
  id: string;
  weight: number;
  ro: string;
  en: string;
}
interface Shelter {
  id: string;
  name: string;
  capacity: number;
  free_places: number;
}
interface CaseView {
  item: Item;
  case_file: { seq: number; at: string; actor: string; record: CaseRecord }[];
  route: {
    duration_s?: number;
    distance_m?: number;
    geometry?: LonLat[];
    streets?: { name: string | null; metres: number }[];
    attribution?: string;
    unavailable?: string;
  } | null;
  shelters: Shelter[];
  hazards?: Hazard[];
  latest_risk?: CaseRecord | null;
  children_present?: number | null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } }).error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field, e?.reason);
  }
  return json as T;
}

export function mountEmiu(root: HTMLElement, me: Me, initialCase: string | null, onLogout: () => void): () => void {
  const list = h('section', { class: 'panel emiu-list', 'aria-label': 'cases' });
  const detail = h('section', { class: 'panel emiu-case', 'aria-label': 'case' });
  let current: string | null = initialCase;
  let view: CaseView | null = null;
  let refusal: ApiError | null = null;
  let message = '';
  let riskItems: RiskItem[] = [];
  let redFlags = new Set<string>();
  const team = me.resource_id ?? null;
  const isEmiu = me.role === 'emiu';

  const live = isEmiu
    ? new Live({
        onSnapshot: () => renderList(),
        onEvent: (e) => {
          renderList();
          const ev = e.event;
          if (current && 'item_id' in ev && ev.item_id === current && ev.type !== 'item_pushed') void load(current, false);
        },
        onStatus: () => undefined,
        onUnauthorized: () => onLogout(),
      })
    : null;

  function myCases(): Item[] {
    if (!live) return [];
    return queueOrder(live.state.items.values()).filter((i) => (team ? i.assigned_to.includes(team) : i.assigned_to.some((r) => r.startsWith('EMIU'))));
  }

  function renderList(): void {
    clear(list);
    list.append(h('h2', {}, te('emiu_cases')));
    if (!isEmiu) return;
    const cases = myCases();
    if (!cases.length) {
      list.append(h('p', { class: 'muted' }, te('emiu_no_cases')));
      return;
    }
    list.append(
      h(
        'ul',
        { class: 'case-list' },
        ...cases.map((i) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                class: `case-open${i.id === current ? ' selected' : ''}`,
                'data-case-id': i.id,
                onclick: () => open(i.id),
              },
              h('span', { class: `level level-${i.priority.level}` }, i.priority.level),
              ` ${term(i.category)} · ${shortId(i.id)} · ${term(i.status)}`,
            ),
          ),
        ),
      ),
    );
  }

  function open(id: string): void {
    current = id;
    const path = `/emiu/${id}`;
    if (location.pathname !== path) history.pushState({}, '', path);
    renderList();
    void load(id, true);
  }

  async function load(id: string, fresh: boolean): Promise<void> {
    if (fresh) {
      view = null;
      refusal = null;
      message = '';
      render();
    }
    try {
      const [v, form] = await Promise.all([
        call<CaseView>('GET', `/api/v1/emiu/cases/${encodeURIComponent(id)}`),
        riskItems.length ? Promise.resolve(null) : call<{ items: RiskItem[]; red_flags: string[] }>('GET', '/api/v1/emiu/risk-form'),
      ]);
      if (form) {
        riskItems = form.items;
        redFlags = new Set(form.red_flags);
      }
      if (current !== id) return;
      view = v;
      refusal = null;
    } catch (e) {
      if (current !== id) return;
      view = null;
      refusal = e instanceof ApiError ? e : new ApiError(0, 'error', String(e));
    }
    render();
  }

  async function act(path: string, body: unknown): Promise<void> {
    if (!current) return;
    message = '';
    try {
      await call('POST', path, body);
      message = te('saved');
    } catch (e) {
      message = refusalText(e);
    }
    await load(current, false);
  }

  function render(): void {
    clear(detail);
    if (refusal) {
      detail.append(
        h(
          'div',
          { class: refusal.status === 403 ? 'refusal' : 'error', role: 'alert', 'data-status': refusal.status },
          h('strong', {}, refusal.status === 403 ? te('refused_title') : refusalText(refusal)),
          h('p', {}, refusal.status === 403 ? te('refused_text') : ''),
        ),
      );
      return;
    }
    if (!current) return;
    if (!view) {
      detail.append(h('p', { class: 'muted' }, '…'));
      return;
    }
    const { item } = view;
    const id = item.id;
    detail.dataset.caseId = id;
    const d = item.details?.kind === 'call' ? item.details : undefined;
    const latestRisk = view.latest_risk ?? [...view.case_file].reverse().find((e) => e.record.record === 'risk_assessed')?.record;
    const open = item.status !== 'closed';
    const yes = new Set((latestRisk?.yes as string[] | undefined) ?? []);
    detail.append(
      h(
        'header',
        { class: 'title-line' },
        h('span', { class: `level level-${item.priority.level}` }, item.priority.level),
        h('span', { class: 'category' }, termE(item.category)),
        h('span', { class: `status status-${item.status}` }, term(item.status)),
        h('span', { class: 'muted mono' }, shortId(id)),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, te('victim_number')),
        h('dd', { 'data-field': 'victim-number' }, d?.caller_number ?? '—'),
        h('dt', {}, te('address')),
        h('dd', { 'data-field': 'address' }, d?.location?.address ?? '—'),
        d?.notes ? h('dt', {}, te('call_notes')) : null,
        d?.notes ? h('dd', {}, d.notes) : null,
      ),
      hazardBanner(view.hazards ?? []),
      message ? h('p', { class: 'message', role: 'status', 'data-field': 'message' }, message) : '',
      h(
        'div',
        { class: 'case-columns' },
        h(
          'div',
          { class: 'case-col' },
          open ? policeBox(item, view.case_file, act) : h('p', { class: 'closed-note', 'data-field': 'closed' }, te('case_closed', { outcome: te(`eo_${item.outcome ?? 'other'}` as EKey, {}, true) || termE(item.outcome ?? '') })),
          routeBox(view),
          team && open ? statusBox(team) : '',
          open ? riskBox(id, yes, latestRisk) : '',
          open ? childrenBox(id, view.children_present, act) : '',
          open ? measuresBox(id, view.shelters, view.children_present ?? 0) : '',
        ),
        h(
          'div',
          { class: 'case-col' },
          open ? ordersBox(id, view.case_file, act) : '',
          open ? hazardForm(id, act) : '',
          open ? reportBox(id) : '',
          open ? closeBox(id, act) : '',
          fileBox(view),
        ),
      ),
    );
  }

  // The clock to arrival counts down on screen without redrawing the forms.
  const tick = window.setInterval(() => {
    const el = detail.querySelector('[data-field=arrival-left]');
    if (el && view) el.textContent = arrivalLeftText(view.item);
  }, 15_000);

  function routeBox(v: CaseView): HTMLElement {
    const box = h('div', { class: 'route', 'data-field': 'route' }, h('h3', {}, te('route')));
    const r = v.route;
    if (!r || r.unavailable || !r.geometry) {
      box.append(h('p', { class: 'muted' }, te('route_unavailable', { why: r?.unavailable ? te(`route_why_${r.unavailable}` as EKey) : '—' })));
      return box;
    }
    box.append(
      h('p', { 'data-field': 'route-time' }, te('route_time', { min: Math.round((r.duration_s ?? 0) / 60), km: formatNumber((r.distance_m ?? 0) / 1000) })),
      drawRoute(r.geometry),
      h('ol', { class: 'streets' }, ...(r.streets ?? []).filter((s) => s.name).slice(0, 8).map((s) => h('li', {}, `${s.name} (${Math.round(s.metres)} m)`))),
      h('p', { class: 'attribution muted' }, r.attribution ?? '© OpenStreetMap contributors'),
    );
    return box;
  }

  function statusBox(res: string): HTMLElement {
    return h(
      'div',
      { class: 'team-status' },
      h('h3', {}, `${te('emiu_status')} (${res})`),
      h(
        'div',
        { class: 'buttons' },
        ...['en_route', 'on_scene', 'at_hospital'].map((s) =>
          h('button', { class: 'secondary', 'data-team-status': s, onclick: () => void act(`/api/v1/resources/${res}/status`, { status: s }) }, term(s)),
        ),
        // The team's position from the phone, for the dispatchers' map and the route.
        h(
          'button',
          {
            class: 'secondary',
            'data-action': 'send-position',
            onclick: () =>
              navigator.geolocation?.getCurrentPosition(
                (p) => void act(`/api/v1/resources/${res}/position`, { lon: p.coords.longitude, lat: p.coords.latitude }),
                (e) => {
                  message = e.message;
                  render();
                },
                { enableHighAccuracy: true, timeout: 10_000 },
              ),
          },
          te('send_position'),
        ),
      ),
    );
  }

  function riskBox(id: string, yes: Set<string>, latest: CaseRecord | null | undefined): HTMLElement {
    const lang = document.documentElement.lang === 'en' ? 'en' : 'ro';
    const override = h(
      'select',
      { name: 'override_level' },
      h('option', { value: '' }, te('override_none')),
      ...(['low', 'medium', 'high'] as const).map((l) => h('option', { value: l }, te(`risk_${l}`))),
    ) as HTMLSelectElement;
    const reason = h('input', { name: 'override_reason', maxlength: 2000, placeholder: te('override_reason_hint') }) as HTMLInputElement;
    const incident = h('input', { name: 'incident', maxlength: 2000, placeholder: te('incident_hint') }) as HTMLInputElement;
    const form = h(
      'form',
      {
        class: 'risk-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const ticked = [...form.querySelectorAll<HTMLInputElement>('input[name=risk]:checked')].map((i) => i.value);
          const body: Record<string, unknown> = { yes: ticked };
          if (override.value) {
            body.override_level = override.value;
            body.override_reason = reason.value.trim();
          }
          if (latest) body.incident = incident.value.trim();
          void act(`/api/v1/emiu/cases/${id}/risk`, body);
        },
      },
      h('h3', {}, te('risk_form')),
      ...riskItems.map((r) =>
        h(
          'label',
          { class: `pick${redFlags.has(r.id) ? ' red-flag' : ''}` },
          h('input', { type: 'checkbox', name: 'risk', value: r.id, checked: yes.has(r.id) }),
          ` ${lang === 'en' ? r.en : r.ro} `,
          redFlags.has(r.id) ? h('span', { class: 'flag', title: te('red_flag_hint') }, `⚑ ${te('red_flag')}`) : h('span', { class: 'muted' }, `(${r.weight})`),
        ),
      ),
      h(
        'div',
        { class: 'override' },
        h('label', {}, te('override_level'), ' ', override),
        h('label', {}, te('override_reason'), ' ', reason),
        latest ? h('label', {}, te('incident'), ' ', incident) : '',
      ),
      h('button', { type: 'submit', class: 'primary', 'data-action': 'risk' }, latest ? te('risk_reassess') : te('risk_submit')),
    );
    if (latest) {
      const level = String(latest.level);
      const flags = (latest.red_flags as string[] | undefined) ?? [];
      const item = (fid: string) => riskItems.find((r) => r.id === fid);
      form.append(
        h(
          'div',
          { class: `risk-level risk-${level}`, 'data-field': 'risk-level', 'data-level': level },
          te('risk_level', { level: te(`risk_${level}` as 'risk_low'), score: String(latest.score) }),
          flags.length
            ? h('div', { class: 'risk-why', 'data-field': 'red-flags' }, `⚑ ${te('red_flags_set_high')}: ${flags.map((f) => (lang === 'en' ? item(f)?.en : item(f)?.ro) ?? f).join('; ')}`)
            : '',
          latest.override_level
            ? h('div', { class: 'risk-why', 'data-field': 'override' }, `${te('override_by_judgement', { level: te(`risk_${String(latest.override_level)}` as 'risk_low') })}: ${String(latest.override_reason)}`)
            : '',
        ),
      );
    }
    return form;
  }

  function measuresBox(id: string, shelters: Shelter[], children: number): HTMLElement {
    const adults = h('input', { type: 'number', name: 'adults', min: 1, max: 20, value: '1' }) as HTMLInputElement;
    const places = h('span', { 'data-field': 'places-needed' }, te('places_needed', { n: 1 + children, children }));
    adults.addEventListener('input', () => {
      places.textContent = te('places_needed', { n: Math.max(1, Number(adults.value) || 1) + children, children });
    });
    const select = h(
      'select',
      { name: 'shelter' },
      ...shelters.map((s) => h('option', { value: s.id, disabled: s.free_places <= 0 }, `${s.name} — ${te('free_places', { n: s.free_places, c: s.capacity })}`)),
    );
    return h(
      'div',
      { class: 'measures' },
      h('h3', {}, te('measures')),
      h(
        'div',
        { class: 'buttons' },
        ...(['hospital_transport', 'called_112', 'police_notified'] as const).map((m) =>
          h('button', { class: 'secondary', 'data-measure': m, onclick: () => void act(`/api/v1/emiu/cases/${id}/measures`, { measure: m }) }, te(`m_${m}`)),
        ),
      ),
      h(
        'ul',
        { class: 'shelters' },
        ...shelters.map((s) => h('li', { 'data-shelter-id': s.id }, `${s.name}: `, h('span', { class: 'free', 'data-free': s.free_places }, te('free_places', { n: s.free_places, c: s.capacity })))),
      ),
      h(
        'form',
        {
          class: 'shelter-placement',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void act(`/api/v1/emiu/cases/${id}/measures`, { measure: 'shelter_placement', shelter_id: select.value, adults: Math.max(1, Number(adults.value) || 1), children });
          },
        },
        h('label', {}, te('shelter'), ' ', select),
        h('label', {}, te('adults'), ' ', adults),
        places,
        h('button', { type: 'submit', 'data-action': 'place' }, te('place_in_shelter')),
      ),
    );
  }

  function reportBox(id: string): HTMLElement {
    const area = h('textarea', { name: 'report', rows: 4, placeholder: te('report_placeholder') });
    return h(
      'form',
      {
        class: 'report',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const text = area.value.trim();
          if (text) void act(`/api/v1/emiu/cases/${id}/report`, { text });
        },
      },
      h('h3', {}, te('report')),
      area,
      h('button', { type: 'submit', class: 'primary', 'data-action': 'report' }, te('file_report')),
    );
  }

  function fileBox(v: CaseView): HTMLElement {
    return h(
      'div',
      { class: 'case-file' },
      h('h3', {}, te('case_file')),
      h(
        'ol',
        {},
        ...v.case_file.map((e) =>
          h('li', { 'data-record': e.record.record }, h('span', { class: 'mono muted' }, `${formatTime(e.at)} `), describe(e.record), h('span', { class: 'muted' }, ` — ${e.actor}`)),
        ),
      ),
    );
  }

  const bar = topBar(me, onLogout, () => {
    renderList();
    render();
  });
  root.replaceChildren(bar, h('main', { class: 'emiu-page' }, h('h1', {}, te('emiu_title')), list, detail));
  const onPop = () => {
    const m = location.pathname.match(/^\/emiu\/([^/]+)$/);
    current = m ? decodeURIComponent(m[1]) : null;
    renderList();
    if (current) void load(current, true);
    else render();
  };
  window.addEventListener('popstate', onPop);
  live?.start();
  renderList();
  if (current) void load(current, true);
  return () => {
    live?.stop();
    window.removeEventListener('popstate', onPop);
    window.clearInterval(tick);
  };
}

function describe(r: CaseRecord): string {
  const procedure = describeProcedure(r);
  if (procedure !== null) return procedure;
  switch (r.record) {
    case 'risk_assessed':
      return `${r.incident ? `${te('reassessment')} (${String(r.incident)}) — ` : ''}${te('risk_level', { level: te(`risk_${String(r.level)}` as 'risk_low'), score: String(r.score) })}${r.override_level ? ` · ${te('override_by_judgement', { level: te(`risk_${String(r.override_level)}` as 'risk_low') })}: ${String(r.override_reason)}` : ''}`;
    case 'measure':
      return `${te(`m_${String(r.measure)}` as 'm_called_112')}${r.shelter_id ? ` (${String(r.shelter_id)}${r.places ? `, ${te('places_taken', { n: String(r.places) })}` : ''})` : ''}`;
    case 'withheld':
      return `${termE(String(r.of))}: ${termE('withheld')}`;
    case 'report':
      return `${te('report')}: ${String(r.text)}`;
    case 'step':
      return `${te(`s_${String(r.step)}` as 's_called_112')}${r.answered === true ? ` — ${te('answered')}` : r.answered === false ? ` — ${te('not_answered')}` : ''}`;
    case 'categorised':
      return `${termE('categorised')}: ${termE(String(r.category))}`;
    case 'referred':
    case 'referral_acknowledged':
      return `${termE(r.record)}: ${String(r.service)}`;
    case 'call_status':
      return `${termE('call_status')}: ${termE(String(r.status))}`;
    default:
      return termE(r.record);
  }
}

/** The route as an SVG polyline in its own bounding box (north up). */
function drawRoute(points: LonLat[]): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 300 200');
  svg.setAttribute('class', 'route-svg');
  if (points.length < 2) return svg;
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  const [x0, x1, y0, y1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  // Metres per degree of longitude shrink with latitude; keep the shape true.
  const kx = Math.cos(((y0 + y1) / 2) * (Math.PI / 180));
  const scale = Math.min(280 / Math.max((x1 - x0) * kx, 1e-9), 180 / Math.max(y1 - y0, 1e-9));
  const pts = points.map((p) => `${(10 + (p.lon - x0) * kx * scale).toFixed(1)},${(190 - (p.lat - y0) * scale).toFixed(1)}`);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', pts.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#c0392b');
  line.setAttribute('stroke-width', '3');
  svg.append(line);
  for (const [i, cls] of [[0, 'start'], [pts.length - 1, 'end']] as const) {
    const [cx, cy] = pts[i].split(',');
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', cx);
    c.setAttribute('cy', cy);
    c.setAttribute('r', '5');
    c.setAttribute('class', cls);
    c.setAttribute('fill', cls === 'start' ? '#2c3e50' : '#c0392b');
    svg.append(c);
  }
  return svg;
}
