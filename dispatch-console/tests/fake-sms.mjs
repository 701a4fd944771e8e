// A local fake of the Twilio Messages API for the browser tests (started by scripts/console-test):
// POST /2010-04-01/Accounts/{sid}/Messages.json with a form body and basic auth records the
// message; GET on the same path lists them newest first, filtered by To and From (what the
// service asks before retrying an attempt whose answer it lost). Like Twilio it ignores
// Idempotency-Key: a second message with the same number and text counts as a duplicate.
// GET /messages returns what it received. The Calls API too: POST
// /2010-04-01/Accounts/{sid}/Calls.json (form To, From, Url; same basic auth) records an outbound
// call and answers its sid; GET /calls returns the calls received. Prints "listening PORT".

import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const sid = process.env.FAKE_SMS_SID ?? 'ACconsoletest';
const token = process.env.FAKE_SMS_TOKEN ?? 'console-test-token';
const expected = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
const messages = [];
const calls = [];
let duplicates = 0;

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const send = (status, json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/messages') return send(200, { messages, duplicates });
    if (req.method === 'GET' && url.pathname === '/calls') return send(200, { calls });
    const c = url.pathname.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/);
    if (c) {
      if (c[1] !== sid || req.headers.authorization !== expected) return send(401, { code: 20003 });
      if (req.method !== 'POST') return send(405, { code: 20004 });
      const form = new URLSearchParams(body);
      const call = {
        key: String(req.headers['idempotency-key'] ?? ''),
        to: form.get('To'),
        from: form.get('From'),
        url: form.get('Url'),
        sid: `CA${randomUUID().replaceAll('-', '')}`,
        date_created: new Date().toUTCString().replace('GMT', '+0000'),
      };
      calls.push(call);
      return send(201, { sid: call.sid, status: 'queued' });
    }
    const m = url.pathname.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/);
    if (!m) return send(404, { code: 20404 });
    if (m[1] !== sid || req.headers.authorization !== expected) return send(401, { code: 20003 });
    if (req.method === 'GET') {
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const size = Number(url.searchParams.get('PageSize') ?? 50);
      const page = messages
        .filter((x) => (to === null || x.to === to) && (from === null || x.from === from))
        .slice(-size)
        .reverse()
        .map((x) => ({ sid: x.sid, to: x.to, from: x.from, body: x.body, status: 'sent', date_created: x.date_created }));
      return send(200, { messages: page, next_page_uri: null });
    }
    if (req.method !== 'POST') return send(405, { code: 20004 });
    const form = new URLSearchParams(body);
    const message = {
      key: String(req.headers['idempotency-key'] ?? ''),
      to: form.get('To'),
      from: form.get('From'),
      body: form.get('Body'),
      sid: `SM${randomUUID().replaceAll('-', '')}`,
      date_created: new Date().toUTCString().replace('GMT', '+0000'),
    };
    if (messages.some((x) => x.to === message.to && x.from === message.from && x.body === message.body)) duplicates += 1;
    messages.push(message);
    send(201, { sid: message.sid, status: 'queued' });
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
