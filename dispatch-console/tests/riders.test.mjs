// The riders page (/transport/beneficiari) and the riders' SMS replies, against the real service
// and the fake SMS provider: a dispatcher registers a rider by address search with a certificate
// that expires in 30 days and finds it in the expiring list; a rider who cancelled two trips late
// cancels the third by answering its confirmation SMS "ANULEZ" (a signed webhook, as the provider
// posts it) — the dispatcher's /transport page shows the trip cancelled — and is flagged; the
// supervisor suspends the rider on the riders page, and a booking is then refused. Dispatchers
// see the flagged list without the buttons. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base, launch, loggedIn, screenshots, users } from './helpers.mjs';

const fakeSms = process.env.CONSOLE_FAKE_SMS_URL;
const authToken = process.env.CONSOLE_TELEPHONY_AUTH_TOKEN;
const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest', year: 'numeric', month: '2-digit', day: '2-digit' });
const inDays = (n) => dayFmt.format(new Date(Date.now() + n * 86400000));
const tomorrow = inDays(1);
const suffix = randomUUID().slice(0, 4).toUpperCase();
const flaggedId = `E2E-POL-${suffix}`;
const flaggedPhone = `+4070009${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
// Texts the Romanian page must not show (English words of this page).
const ENGLISH = /(?<![\p{L}_])(Riders|Search|Register|Suspend|Waive|flagged|expired|days left|wheelchair|seated)(?![\p{L}_])/u;

let browser;
let disp;
let supv;

/** fetch from inside a page (its session cookie). */
async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** Posts a form to a webhook signed as the provider signs it (HMAC-SHA1 of URL + sorted params). */
async function signedWebhook(path, params) {
  const url = `${base}${path}`;
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  const signature = createHmac('sha1', authToken).update(data).digest('base64');
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
}

async function smsSent() {
  const r = await fetch(`${fakeSms}/messages`);
  return r.ok ? (await r.json()).messages : [];
}

async function waitFor(what, pred, timeout = 15_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ridersPage(who) {
  const s = await loggedIn(browser, who);
  await s.context.addInitScript(() => localStorage.setItem('dispecer.i18n-check', '1'));
  await s.page.setViewportSize({ width: 1366, height: 768 });
  await s.page.waitForSelector('.topbar');
  await s.page.goto(`${base}/transport/beneficiari`);
  await s.page.waitForSelector('main.riders-page .rp-table tbody tr');
  return s;
}

before(async () => {
  assert.ok(fakeSms && authToken && sup.username, 'run through scripts/console-test');
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('riders page and SMS replies', () => {
  test('a dispatcher registers a rider by address search and sees the certificate in the expiring list', async () => {
    disp = await ridersPage(users.a);
    const { page } = disp;
    const id = `E2E-REG-${suffix}`;
    // Act: fill the form; the home address is searched and picked, not typed as coordinates.
    await page.fill('.rp-register [name=id]', id);
    await page.fill('.rp-register [name=name]', 'Maria Probă (fictiv)');
    await page.fill('.rp-register [name=phone]', '+40700008801');
    await page.selectOption('.rp-register [name=mobility]', 'wheelchair');
    await page.fill('.rp-register [name=address]', 'Strada Gheorghe Lazăr 24');
    await page.click('[data-action=find-address]');
    await page.waitForSelector('.rp-candidates .rp-candidate');
    const label = (await page.textContent('.rp-candidates .rp-candidate')).trim();
    await page.click('.rp-candidates .rp-candidate');
    await page.waitForSelector('[data-field=picked]');
    await page.selectOption('.rp-register [name=degree]', 'accentuat');
    await page.selectOption('.rp-register [name=kind]', 'vizual');
    await page.fill('.rp-register [name=cert_number]', `${suffix}/2025`);
    await page.fill('.rp-register [name=valid_until]', inDays(30));
    if (screenshots) {
      await page.locator('.rp-register').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}/riders-register-form-1366x768.png` });
    }
    await page.click('[data-action=save-rider]');
    // Assert: registered with the picked address and position, listed, and expiring in 30 days.
    await page.waitForSelector(`.rp-table tr[data-rider="${id}"]`);
    assert.match(await page.textContent('[data-field=message]'), new RegExp(`${id} a fost înregistrat`));
    const stored = await api(page, 'GET', `/api/v1/transport/riders/${id}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.json.places[0].address, label);
    assert.ok(Math.abs(stored.json.places[0].position.lat - 45.75) < 0.05, JSON.stringify(stored.json.places[0]));
    assert.equal(stored.json.certificate.degree, 'accentuat');
    const item = await page.waitForSelector(`.rp-expiring-list li[data-rider="${id}"]`);
    assert.match(await item.textContent(), /mai are 30 de zile/);
    await page.fill('[name=rider-search]', id);
    assert.equal(await page.locator('.rp-table tbody tr').count(), 1);
    assert.match(await page.textContent(`.rp-table tr[data-rider="${id}"]`), /scaun rulant/);
    await page.fill('[name=rider-search]', '');
    const text = await page.textContent('main');
    assert.doesNotMatch(text, ENGLISH);
    assert.deepEqual(await page.evaluate(() => window.__i18nMissing ?? []), []);
    await page.evaluate(() => window.scrollTo(0, 0));
    if (screenshots) await page.screenshot({ path: `${screenshots}/riders-list-1366x768.png` });
  });

  test('an SMS reply "ANULEZ" cancels the trip, seen on /transport; the third late cancel flags the rider', async () => {
    const { page } = disp;
    // Arrange: a rider with three trips tomorrow, planned (so each got a confirmation SMS).
    const r = await api(page, 'POST', '/api/v1/transport/riders', {
      id: flaggedId,
      name: 'Ion Probă (fictiv)',
      phone: flaggedPhone,
      mobility: 'seated',
      places: [
        { kind: 'home', address: 'Str. Exemplu nr. 7 (demo)', lon: 21.214, lat: 45.751 },
        { kind: 'day_centre', address: 'Centru de zi (demo)', lon: 21.231, lat: 45.744 },
      ],
      certificate: { degree: 'grav', kind: 'fizic', number: `${suffix}/2024`, issued_by: 'Comisia de evaluare (demo)', valid_from: inDays(-100), valid_until: null },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const trips = [];
    for (const time of ['07:10:00', '11:10:00', '15:10:00']) {
      const b = await api(page, 'POST', '/api/v1/transport/bookings', {
        rider: flaggedId, date: tomorrow, pickup: { place: 'home' }, dropoff: { place: 'day_centre' }, timing: 'pickup_at', time,
      });
      assert.equal(b.status, 201, JSON.stringify(b.json));
      trips.push(b.json.trips[0].id);
    }
    const planned = await api(page, 'POST', `/api/v1/transport/plans/${tomorrow}`, { seconds: 1 });
    assert.equal(planned.status, 200, JSON.stringify(planned.json));
    await waitFor('the confirmations', async () => {
      const sent = await smsSent();
      return trips.every((t) => sent.some((m) => m.to === flaggedPhone && m.key.startsWith(`confirm:${t}:`)));
    });
    // Two late cancels by the dispatcher (within two days of the pick-up, as configured).
    for (const t of trips.slice(0, 2)) {
      const c = await api(page, 'POST', `/api/v1/transport/bookings/${t}/cancel`, {});
      assert.equal(c.status, 200, JSON.stringify(c.json));
    }
    await page.goto(`${base}/transport`);
    await page.waitForSelector(`.transport-trips tr[data-trip="${trips[2]}"]`);

    // Act: the rider answers "ANULEZ." to the confirmation; the provider retries the webhook.
    const params = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, From: flaggedPhone, To: '+40256000111', Body: 'ANULEZ.' };
    for (let i = 0; i < 2; i++) {
      const w = await signedWebhook('/telephony/sms', params);
      assert.equal(w.status, 200, await w.text());
    }

    // Assert: the page shows the trip cancelled without a reload; one answer SMS was sent.
    await page.waitForFunction(
      (id) => document.querySelector(`.transport-trips tr[data-trip="${id}"]`)?.textContent?.includes('anulat'),
      trips[2],
      { timeout: 10_000 },
    );
    if (screenshots) {
      await page.locator(`.transport-trips tr[data-trip="${trips[2]}"]`).scrollIntoViewIfNeeded();
      // The trips table is wider than its panel on this page: show its status column.
      await page.evaluate(() => {
        const p = document.querySelector('.transport-trips');
        if (p) p.scrollLeft = p.scrollWidth;
      });
      await page.screenshot({ path: `${screenshots}/transport-sms-cancelled-1366x768.png` });
    }
    const answers = await waitFor('the answer SMS', async () => {
      const sent = (await smsSent()).filter((m) => m.key === `sms-reply:${params.MessageSid}`);
      return sent.length > 0 ? sent : null;
    });
    assert.equal(answers.length, 1);
    assert.match(answers[0].body, /anulata, la cererea dvs/);
    assert.equal(answers[0].to, flaggedPhone);
    const history = await api(page, 'GET', `/api/v1/transport/riders/${flaggedId}/history`);
    assert.equal(history.json.status.flagged, true, JSON.stringify(history.json));
    assert.equal(history.json.events.filter((e) => e.kind === 'late_cancel').length, 3);
  });

  test('a dispatcher sees the flagged rider without the buttons; the supervisor suspends and a booking is refused', async () => {
    // Dispatcher: the list, no decision buttons.
    await disp.page.goto(`${base}/transport/beneficiari`);
    await disp.page.waitForSelector(`.rp-flag-card[data-rider="${flaggedId}"]`);
    assert.equal(await disp.page.locator(`.rp-flag-card[data-rider="${flaggedId}"] [data-action=suspend]`).count(), 0);
    await disp.page.waitForSelector('[data-field=supervisor-only]');

    // Supervisor: suspend with a reason.
    supv = await ridersPage(sup);
    const { page } = supv;
    const card = `.rp-flag-card[data-rider="${flaggedId}"]`;
    await page.waitForSelector(card);
    await page.locator(card).scrollIntoViewIfNeeded();
    if (screenshots) await page.screenshot({ path: `${screenshots}/riders-flagged-supervisor-1366x768.png` });
    // Without a reason the page asks for one and nothing is sent.
    await page.click(`${card} [data-action=suspend]`);
    assert.match(await page.textContent('[data-field=message]'), /Scrieți motivul/);
    await page.fill(`${card} [name=until]`, inDays(14));
    await page.fill(`${card} [name=reason]`, 'Trei anulări târzii în aceeași săptămână');
    await page.click(`${card} [data-action=suspend]`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('suspendat până la'), card);
    assert.match(await page.textContent('[data-field=message]'), /este suspendat până la/);
    assert.deepEqual(await page.evaluate(() => window.__i18nMissing ?? []), []);
    assert.doesNotMatch(await page.textContent('main'), ENGLISH);
    if (screenshots) await page.screenshot({ path: `${screenshots}/riders-suspended-1366x768.png` });

    // A booking for the suspended rider is refused with its reason.
    const b = await api(page, 'POST', '/api/v1/transport/bookings', {
      rider: flaggedId, date: inDays(2), pickup: { place: 'home' }, dropoff: { place: 'day_centre' }, timing: 'pickup_at', time: '09:00:00',
    });
    assert.equal(b.status, 409);
    assert.equal(b.json.error.reason, 'rider_suspended');
  });
});
