// A local fake of the Twilio Messages API for the browser tests (started by scripts/console-test):
// POST /2010-04-01/Accounts/{sid}/Messages.json with a form body and basic auth records the
// message; a repeat of an Idempotency-Key already accepted is counted as a duplicate and answered
// with the first SID. GET /messages returns what it received. Prints "listening PORT".

import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const sid = process.env.FAKE_SMS_SID ?? 'ACconsoletest';
const token = process.env.FAKE_SMS_TOKEN ?? 'console-test-token';
const expected = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
const messages = [];
const byKey = new Map();
let duplicates = 0;

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const send = (status, json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.method === 'GET' && req.url === '/messages') return send(200, { messages, duplicates });
    const m = req.url?.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/);
    if (req.method !== 'POST' || !m) return send(404, { code: 20404 });
    if (m[1] !== sid || req.headers.authorization !== expected) return send(401, { code: 20003 });
    const form = new URLSearchParams(body);
    const key = String(req.headers['idempotency-key'] ?? '');
    if (byKey.has(key)) {
      duplicates += 1;
      return send(201, { sid: byKey.get(key) });
    }
    const messageSid = `SM${randomUUID().replaceAll('-', '')}`;
    byKey.set(key, messageSid);
    messages.push({ key, to: form.get('To'), from: form.get('From'), body: form.get('Body') });
    send(201, { sid: messageSid, status: 'queued' });
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
