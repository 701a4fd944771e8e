// A development stand-in for the service, implementing the console's API contract (session
// cookie, /ws snapshot + events, actions, resources, map, geocode) in memory, with no
// dependencies. Only for `npm run dev` work while an endpoint is still being built: the
// committed browser tests run against the real binary (scripts/console-test).
//
//   node mock/server.mjs [port]      then open http://127.0.0.1:<port>/ (serves dist/)

import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';

const port = Number(process.argv[2] ?? 8090);
const dist = new URL('../dist/', import.meta.url).pathname;
const users = {
  dispecer1: { password: 'parola1', display_name: 'Ana Dispecer', role: 'dispatcher' },
  dispecer2: { password: 'parola2', display_name: 'Ion Dispecer', role: 'dispatcher' },
  sofer1: { password: 'parola3', display_name: 'Șofer Unu', role: 'driver' },
};
const sessions = new Map();
const items = new Map();
const resources = new Map();
const log = [];
const sockets = new Set();
let seq = 0;
const depot = { lon: 21.2087, lat: 45.7537 };
for (let i = 1; i <= 3; i++) {
  resources.set(`VAN-0${i}`, { id: `VAN-0${i}`, kind: 'vehicle', name: `Ford Transit TM-1${i}-DAS`, seats: 4, wheelchair_places: 2, status: 'available', current_item: null, position: depot, version: 0 });
  resources.set(`SOFER-0${i}`, { id: `SOFER-0${i}`, kind: 'driver', name: `Șofer 0${i}`, seats: 0, wheelchair_places: 0, status: 'available', current_item: null, position: depot, version: 0 });
}
resources.set('EMIU-1', { id: 'EMIU-1', kind: 'emiu_team', name: 'Echipa EMIU 1', seats: 0, wheelchair_places: 0, status: 'available', current_item: null, position: { lon: 21.23, lat: 45.76 }, version: 0 });

function emit(actor, event) {
  const e = { seq: ++seq, at: new Date().toISOString(), actor, event };
  log.push(e);
  applyEvent(e);
  for (const s of sockets) sendText(s, JSON.stringify({ type: 'event', ...e }));
  return e;
}
function applyEvent({ event: ev, at, seq }) {
  const it = items.get(ev.item_id);
  if (ev.type === 'item_created') items.set(ev.item.id, ev.item);
  if (ev.type === 'acknowledged') Object.assign(it, { status: 'acknowledged', handler: ev.by, version: seq }, { times: { ...it.times, acknowledged: at } });
  if (ev.type === 'assigned') {
    it.status = 'assigned'; it.assigned_to.push(...ev.resources); it.times.assigned ??= at;
    for (const r of ev.resources) Object.assign(resources.get(r), { status: 'assigned', current_item: it.id });
  }
  if (ev.type === 'status_changed') it.status = ev.to;
  if (ev.type === 'closed') {
    Object.assign(it, { status: 'closed', outcome: ev.outcome });
    for (const r of ev.released) Object.assign(resources.get(r), { status: 'available', current_item: null });
  }
  if (ev.type === 'note_added') it.notes.push(ev.note);
}
function createItem(level, category, details, actor = 'demo-receiver') {
  const now = new Date();
  const within = { P1: 60, P2: 300, P3: 1800, P4: 86400 }[level];
  const item = {
    id: randomUUID(), kind: details.kind, category, status: 'new',
    priority: { level, rule: `${details.kind}-${category}`, reason: `${details.kind} ${category}`, respond_within_s: within },
    deadline: new Date(now.getTime() + within * 1000).toISOString(), breached: false,
    times: { received: now.toISOString(), first_pushed: null, acknowledged: null, assigned: null, in_progress: null, closed: null, breached: null },
    details, assigned_to: [], handler: null, outcome: null, notes: [], version: 0,
  };
  emit(actor, { type: 'item_created', item });
  return item;
}
createItem('P2', 'abuse', { kind: 'call', caller_number: '+40722000111', category: 'abuse', immediate_danger: false, location: { address: 'Str. Lazăr 24', position: { lon: 21.2215, lat: 45.7592 } }, notes: 'vecin îngrijorat' }, 'telephony');
createItem('P3', 'booking', { kind: 'booking', rider: 'M. Popescu', pickup: { address: 'Bd. Take Ionescu 10', position: { lon: 21.238, lat: 45.757 } }, dropoff: { address: 'Spitalul Județean' }, window_start: new Date(Date.now() + 3600e3).toISOString(), window_end: new Date(Date.now() + 5400e3).toISOString(), needs: { wheelchair: true } }, 'dispecer1');
createItem('P2', 'domestic_violence', { kind: 'call', caller_number: '+40733000222', category: 'domestic_violence', immediate_danger: true, location: { address: 'Calea Șagului 50', position: { lon: 21.215, lat: 45.735 } } }, 'telephony');

function who(req) {
  // Machine callers (alarm receiver, telephony) in the tests: any bearer token.
  if (/^Bearer /.test(req.headers.authorization ?? '')) return { username: 'machine', role: 'receiver' };
  const m = /dispecer_session=([\w-]+)/.exec(req.headers.cookie ?? '');
  return m ? sessions.get(m[1]) : undefined;
}
function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const err = (res, status, code, message) => json(res, status, { error: { code, message, field: null } });
async function body(req) {
  let s = '';
  for await (const c of req) s += c;
  return s ? JSON.parse(s) : {};
}
function redactFor(user, item) {
  if (user.role === 'driver' && item.category === 'domestic_violence') return null;
  return item;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  const user = who(req);
  if (p === '/api/v1/session' && req.method === 'POST') {
    const { username, password } = await body(req);
    const u = users[username];
    if (!u || u.password !== password) return err(res, 401, 'unauthorized', 'bad credentials');
    const sid = randomUUID();
    sessions.set(sid, { username, ...u });
    return json(res, 200, { username, display_name: u.display_name, role: u.role }, { 'set-cookie': `dispecer_session=${sid}; HttpOnly; SameSite=Strict; Path=/` });
  }
  if (p.startsWith('/api/')) {
    if (!user) return err(res, 401, 'unauthorized', 'log in');
    if (p === '/api/v1/session' && req.method === 'DELETE') return json(res, 200, {});
    if (p === '/api/v1/me') return json(res, 200, { username: user.username, display_name: user.display_name, role: user.role });
    if (p === '/api/v1/resources') return json(res, 200, { seq, resources: [...resources.values()] });
    if (p.startsWith('/api/v1/map/')) return json(res, 200, mockMap());
    if (p === '/api/v1/geocode') return json(res, 200, { candidates: [{ label: 'Strada Lazăr 24, Timișoara', kind: 'address', position: { lon: 21.2215, lat: 45.7592 }, score: 1 }] });
    if (p === '/api/v1/alerts' && req.method === 'POST') {
      const b = await body(req);
      const level = ['fall', 'button', 'smoke', 'gas'].includes(b.alarm_type) ? 'P1' : 'P3';
      return json(res, 201, createItem(level, b.alarm_type, { kind: 'alert', device_id: b.device_id, alarm_type: b.alarm_type, device_time: b.device_time, receiver_alarm_id: b.alarm_id, receiver: user.username }, user.username));
    }
    if (p === '/api/v1/calls' && req.method === 'POST') {
      const b = await body(req);
      const level = b.immediate_danger ? 'P1' : b.category === 'domestic_violence' || b.category === 'abuse' ? 'P2' : 'P3';
      return json(res, 201, createItem(level, b.category, { kind: 'call', ...b }, user.username));
    }
    const m = /^\/api\/v1\/items\/([^/]+)(?:\/(\w+))?$/.exec(p);
    if (m) {
      const it = items.get(m[1]);
      if (!it) return err(res, 404, 'not_found', 'item not found');
      if (!redactFor(user, it)) return err(res, 403, 'forbidden', 'domestic-violence cases are not open to drivers');
      if (user.role === 'driver') return err(res, 403, 'forbidden', 'role driver may not do this');
      const action = m[2];
      if (!action) return json(res, 200, { item: it, queue: null });
      if (action === 'events') return json(res, 200, { item_id: it.id, events: log.filter((e) => (e.event.item_id ?? e.event.item?.id) === it.id) });
      const b = req.method === 'POST' ? await body(req) : {};
      const conflict = (msg) => err(res, 409, 'conflict', msg);
      if (action === 'acknowledge') { if (it.status !== 'new') return conflict(`item is ${it.status}`); emit(user.username, { type: 'acknowledged', item_id: it.id, by: user.username }); }
      else if (action === 'assign') {
        if (!['acknowledged', 'assigned'].includes(it.status)) return conflict(`cannot assign a ${it.status} item`);
        const busy = b.resources.find((r) => resources.get(r)?.status !== 'available');
        if (busy) return conflict(`resource ${busy} is busy`);
        emit(user.username, { type: 'assigned', item_id: it.id, resources: b.resources, by: user.username });
      } else if (action === 'start') emit(user.username, { type: 'status_changed', item_id: it.id, from: it.status, to: 'in_progress' });
      else if (action === 'close') emit(user.username, { type: 'closed', item_id: it.id, outcome: b.outcome, released: [...it.assigned_to] });
      else if (action === 'notes') emit(user.username, { type: 'note_added', item_id: it.id, note: { at: new Date().toISOString(), by: user.username, text: b.text } });
      return json(res, 200, it);
    }
    return err(res, 404, 'not_found', 'endpoint');
  }
  const file = p === '/' || !extname(p) ? 'index.html' : p.slice(1);
  try {
    const data = await readFile(join(dist, file));
    const type = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' }[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    res.end(data);
  } catch {
    res.writeHead(404);
    res.end();
  }
});

function mockMap() {
  // A few straight "roads" around the centre: enough to see pan, zoom and markers.
  const lines = [];
  for (let i = 0; i < 12; i++) {
    const lat = 45.73 + i * 0.005;
    lines.push({ type: 'Feature', properties: { class: i % 4 ? 'residential' : 'primary', name: `Strada ${i}` }, geometry: { type: 'LineString', coordinates: [[21.18, lat], [21.27, lat + 0.002]] } });
    const lon = 21.18 + i * 0.008;
    lines.push({ type: 'Feature', properties: { class: i % 3 ? 'tertiary' : 'secondary', name: `Bulevardul ${i}` }, geometry: { type: 'LineString', coordinates: [[lon, 45.72], [lon + 0.003, 45.79]] } });
  }
  return { type: 'FeatureCollection', attribution: '© OpenStreetMap contributors', bbox: [21.18, 45.72, 21.27, 45.79], features: lines };
}

// Minimal RFC 6455: handshake, unmasked text frames out, masked frames in (ping only).
function sendText(socket, text) {
  const data = Buffer.from(text);
  const len = data.length;
  const head = len < 126 ? Buffer.from([0x81, len]) : len < 65536 ? Buffer.from([0x81, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x81, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
  socket.write(Buffer.concat([head, data]));
}
server.on('upgrade', (req, socket) => {
  const user = who(req);
  if (!user || user.role === 'driver') {
    socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
    return;
  }
  const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const after = Number(new URL(req.url, 'http://x').searchParams.get('after_seq') ?? NaN);
  if (Number.isFinite(after)) for (const e of log.filter((e) => e.seq > after)) sendText(socket, JSON.stringify({ type: 'event', ...e }));
  else sendText(socket, JSON.stringify({ type: 'snapshot', seq, items: [...items.values()].filter((i) => i.status !== 'closed'), resources: [...resources.values()] }));
  sockets.add(socket);
  socket.on('data', (buf) => {
    if ((buf[0] & 0x0f) === 0x8) socket.end();
    else if ((buf[0] & 0x0f) === 0x1) sendText(socket, JSON.stringify({ type: 'pong', seq }));
  });
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => sockets.delete(socket));
});
server.listen(port, '127.0.0.1', () => console.log(`mock on http://127.0.0.1:${port}/`));
