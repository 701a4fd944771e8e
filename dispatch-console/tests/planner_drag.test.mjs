// The planner's page in Chromium, against the real service and the fake SMS provider, as a
// planner of its own (test-planificator) on days of its own:
// - a rider answers the confirmation SMS "DA" (a signed webhook, posted twice as the provider
//   may): the trips table and the trip panel show the trip confirmed by SMS and when, and the
//   trip's history has the answer, in Romanian and in English, without a reload;
// - an unserved wheelchair trip (the ramp vans were in the workshop when the day was planned) is
//   dragged with the mouse from the unserved list onto a van's row of the timeline: onto a van
//   without a ramp it is refused with the reason in words, onto a ramp van back from the
//   workshop it is placed there and the timeline redraws with it.
// The i18n check is on. Screenshots at 1366×768 and 1920×1080. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base, launch, loggedIn, screenshots } from './helpers.mjs';

const planner = { username: process.env.CONSOLE_USER_PLANNER, password: process.env.CONSOLE_PASS_PLANNER };
const supervisor = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };
const fakeSms = process.env.CONSOLE_FAKE_SMS_URL;
const authToken = process.env.CONSOLE_TELEPHONY_AUTH_TOKEN;
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest', year: 'numeric', month: '2-digit', day: '2-digit' });
const weekday = (d) => new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Bucharest', weekday: 'short' }).format(d);
// SMS answers are read for today's and tomorrow's trips only: the answer is tested tomorrow.
const tomorrow = dayFmt.format(new Date(Date.now() + 86400000));
// The drag on a Saturday of its own: the second from nine days ahead (no demo week's trips, and
// not the Sundays of the planner and Mobilitate tests).
const dragDay = (() => {
  const d = new Date(Date.now() + 9 * 86400000);
  while (weekday(d) !== 'Sat') d.setTime(d.getTime() + 86400000);
  d.setTime(d.getTime() + 7 * 86400000);
  return dayFmt.format(d);
})();
const suffix = randomUUID().slice(0, 4).toUpperCase();
const RAMP_VANS = ['VAN-01', 'VAN-02', 'VAN-03', 'VAN-04', 'VAN-05'];

let browser;
let s; // the planner's session
let sup; // the supervisor's bearer token

async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

async function tokenOf(user) {
  const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...user, token: true }) });
  assert.equal(r.status, 200);
  return (await r.json()).token;
}

async function bearer(token, method, path, body) {
  const r = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, json: await r.json().catch(() => null) };
}

/** Puts a van's ramp on or off (the supervisor's vehicle record), keeping the rest. */
async function setRamp(id, ramp) {
  const v = (await bearer(sup, 'GET', '/api/v1/transport/vehicles')).json.vehicles.find((x) => x.id === id);
  return bearer(sup, 'PUT', `/api/v1/transport/vehicles/${id}`, {
    seats: v.seats,
    wheelchair_places: v.wheelchair_places,
    ramp,
    depot_lon: v.depot.lon,
    depot_lat: v.depot.lat,
    driver: v.driver,
    shift_start: v.shift_start,
    shift_end: v.shift_end,
  });
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

async function waitFor(what, pred, timeout = 20_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const missingTexts = () => s.page.evaluate(() => [...(window.__i18nMissing ?? []), ...(document.body.innerText.includes('⟦') ? ['⟦ on screen'] : [])]);

async function showDay(day) {
  await s.page.fill('input[name=plan-date]', day);
  await s.page.dispatchEvent('input[name=plan-date]', 'change');
}

async function rider(id, phone, mobility) {
  const r = await api(s.page, 'POST', '/api/v1/transport/riders', {
    id,
    name: `Beneficiar ${id} (fictiv)`,
    phone,
    mobility,
    door_assistance: false,
    companion: false,
    notes: '',
    places: [
      { kind: 'home', address: `Str. Tragerii nr. ${id.slice(-2)} (demo)`, lon: 21.205, lat: 45.748 },
      { kind: 'hospital', address: 'Spital (demo)', lon: 21.2303, lat: 45.7469 },
    ],
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
}

async function book(id, day, time) {
  const b = await api(s.page, 'POST', '/api/v1/transport/bookings', { rider: id, date: day, pickup: { place: 'home' }, dropoff: { place: 'hospital' }, timing: 'pickup_at', time });
  assert.equal(b.status, 201, JSON.stringify(b.json));
  return b.json.trips[0];
}

/** Drags with the mouse from the middle of one element to the middle of another, in steps. */
async function drag(from, to) {
  await from.scrollIntoViewIfNeeded();
  const a = await from.boundingBox();
  await s.page.mouse.move(a.x + 8, a.y + a.height / 2);
  await s.page.mouse.down();
  await s.page.mouse.move(a.x + 30, a.y + a.height / 2, { steps: 4 });
  const b = await to.boundingBox();
  await s.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  return async () => {
    const c = await to.boundingBox();
    await s.page.mouse.move(c.x + c.width / 2, c.y + c.height / 2, { steps: 2 });
    await s.page.mouse.up();
  };
}

before(async () => {
  assert.ok(planner.username && supervisor.username && fakeSms && authToken, 'run through scripts/console-test');
  browser = await launch();
  sup = await tokenOf(supervisor);
  s = await loggedIn(browser, planner);
  await s.context.addInitScript(() => localStorage.setItem('dispecer.i18n-check', '1'));
  await s.page.waitForSelector('.topbar');
});

after(async () => {
  if (sup) for (const id of RAMP_VANS) await setRamp(id, true);
  await browser?.close();
});

describe('the planner sees SMS answers and drags trips onto the timeline', () => {
  test('a rider’s "DA" shows on the trip, in the table, the panel and the trip’s history', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 1366, height: 768 });
    const id = `E2E-DA-${suffix}`;
    const phone = `+4070007${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    await rider(id, phone, 'seated');
    let trip = await book(id, tomorrow, '10:20:00');
    // Tomorrow may have a plan already (the trip is then inserted and confirmed); else plan it.
    if (!trip.promised) {
      const planned = await api(page, 'POST', `/api/v1/transport/plans/${tomorrow}`, { seconds: 1 });
      assert.equal(planned.status, 200, JSON.stringify(planned.json));
    }
    await waitFor('the confirmation SMS', async () => (await smsSent()).some((m) => m.to === phone && m.key.startsWith(`confirm:${trip.id}:`)));
    await page.goto(`${base}/transport`);
    await showDay(tomorrow);
    const row = page.locator(`.transport-trips tr[data-trip="${trip.id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-field=sms-answer]').getAttribute('data-answer'), 'none');
    assert.equal(await row.locator('[data-field=sms-answer]').textContent(), 'fără răspuns încă');
    await row.click();
    await page.waitForSelector(`.trip-panel[data-trip="${trip.id}"]`);

    // Act: the rider answers "Da" to the confirmation; the provider posts it twice.
    const params = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, From: phone, To: '+40256000111', Body: 'Da' };
    for (let i = 0; i < 2; i++) {
      const w = await signedWebhook('/telephony/sms', params);
      assert.equal(w.status, 200, await w.text());
    }

    // Assert: pushed to the page (no reload): the table, the panel, the history.
    await page.waitForSelector(`.transport-trips tr[data-trip="${trip.id}"] [data-field=sms-answer][data-answer=confirmed]`, { timeout: 10_000 });
    trip = (await api(page, 'GET', `/api/v1/transport/bookings/${trip.id}`)).json;
    assert.equal(trip.sms_answer.answer, 'confirmed');
    assert.equal(trip.status, 'booked');
    const at = new Date(trip.sms_answer.at);
    const hhmm = at.toLocaleTimeString('ro-RO', { timeZone: 'Europe/Bucharest', hour: '2-digit', minute: '2-digit', hour12: false });
    assert.equal(await row.locator('[data-field=sms-answer]').textContent(), `✓ confirmată prin SMS la ${hhmm}`);
    const panel = page.locator(`.trip-panel[data-trip="${trip.id}"]`);
    await panel.locator('[data-field=trip-sms-answer][data-answer=confirmed]').waitFor();
    assert.match(await panel.locator('[data-field=trip-sms-answer]').textContent(), /^confirmată prin SMS la /);
    const history = panel.locator('[data-field=trip-history] li');
    assert.deepEqual(await history.evaluateAll((lis) => lis.map((li) => li.dataset.kind)), ['booked', 'sms-confirmed']);
    assert.match(await history.nth(1).textContent(), /beneficiarul a confirmat prin SMS \(DA\)$/);
    // One answer SMS for the two posts.
    const answers = await waitFor('the answer SMS', async () => {
      const sent = (await smsSent()).filter((m) => m.key === `sms-reply:${params.MessageSid}`);
      return sent.length ? sent : null;
    });
    assert.equal(answers.length, 1);
    assert.deepEqual(await missingTexts(), []);
    if (screenshots) {
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}/transport-sms-answer-1366x768.png` });
      await row.scrollIntoViewIfNeeded();
      await page.evaluate(() => {
        const p = document.querySelector('.transport-trips .scroll-x');
        if (p) p.scrollLeft = p.scrollWidth;
      });
      await page.screenshot({ path: `${screenshots}/transport-sms-answer-table-1366x768.png` });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}/transport-sms-answer-1920x1080.png` });
      await page.setViewportSize({ width: 1366, height: 768 });
    }

    // In English too.
    await page.evaluate(() => localStorage.setItem('dispecer.lang', 'en'));
    await page.reload();
    await showDay(tomorrow);
    await row.waitFor();
    assert.match(await row.locator('[data-field=sms-answer]').textContent(), /^✓ confirmed by SMS at \d\d:\d\d$/);
    await row.click();
    await panel.waitFor();
    assert.match(await panel.locator('[data-field=trip-history] li').nth(1).textContent(), /the rider confirmed by SMS \(DA\)$/);
    assert.deepEqual(await missingTexts(), []);
    await page.evaluate(() => localStorage.setItem('dispecer.lang', 'ro'));
    await page.reload();
  });

  test('an unserved trip dragged onto a van’s row: refused in words where it does not fit, placed where it does', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 1920, height: 1080 });
    // A day of seated trips and one wheelchair trip, planned while the ramp vans are in the
    // workshop: the wheelchair trip is unserved.
    const ids = [];
    for (let i = 1; i <= 4; i++) {
      const id = `E2E-TR-${suffix}-${i}`;
      await rider(id, `+4070006${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`, i === 4 ? 'wheelchair' : 'seated');
      ids.push((await book(id, dragDay, `${String(8 + i).padStart(2, '0')}:15:00`)).id);
    }
    const wheelchair = ids[3];
    for (const v of RAMP_VANS) assert.ok((await setRamp(v, false)).status < 300);
    await page.goto(`${base}/transport`);
    await showDay(dragDay);
    await page.waitForSelector('[data-field=no-plan]');
    await page.click('[data-action=plan]');
    await page.waitForSelector('[data-field=plan-version]', { timeout: 60_000 });
    const li = page.locator(`.planner-unserved li[data-trip="${wheelchair}"]`);
    await li.waitFor();
    // Every vehicle has a row to drop on, those without work too.
    const vehicles = (await api(page, 'GET', '/api/v1/transport/vehicles')).json.vehicles.map((v) => v.id);
    const plan = (await api(page, 'GET', `/api/v1/transport/plans/${dragDay}`)).json;
    assert.equal(await page.locator('.timeline .tl-row[data-vehicle]').count(), plan.routes.length);
    assert.ok(plan.routes.length >= 2 && plan.routes.every((r) => vehicles.includes(r.vehicle_id)));

    // Act: dragged onto a van without a ramp.
    const noRamp = plan.routes.map((r) => r.vehicle_id).find((v) => !RAMP_VANS.includes(v));
    assert.ok(noRamp, 'a van without a ramp');
    let release = await drag(li, page.locator(`.tl-row[data-vehicle="${noRamp}"] .tl-track`));
    // While dragged: a label follows the pointer and the rows say where it fits (nowhere yet).
    await page.waitForSelector('[data-field=drag-ghost]');
    await page.waitForSelector(`.tl-row[data-vehicle="${noRamp}"][data-fits=false].tl-over`);
    await release();

    // Assert: refused with the reason in words; still unserved.
    await page.waitForSelector('.transport-message.error');
    assert.equal(await page.textContent('.transport-message.error'), `Cursa nu încape pe ${noRamp}: niciun vehicul nu poate transporta beneficiarul.`);
    assert.equal(await page.locator('[data-field=drag-ghost]').count(), 0);
    assert.ok((await api(page, 'GET', `/api/v1/transport/plans/${dragDay}`)).json.unserved.some((u) => u.trip_id === wheelchair));

    // The ramp vans are back: onto the van without a ramp it is refused for that van's reason.
    for (const v of RAMP_VANS) assert.ok((await setRamp(v, true)).status < 300);
    release = await drag(li, page.locator(`.tl-row[data-vehicle="${noRamp}"] .tl-track`));
    await page.waitForSelector(`.tl-row[data-vehicle="${noRamp}"][data-fits=false].tl-over`);
    await release();
    await page.waitForFunction((v) => document.querySelector('.transport-message.error')?.textContent === `Cursa nu încape pe ${v}: vehiculul nu are loc potrivit (scaun rulant / locuri).`, noRamp);
    // Onto one where it fits: placed.
    const fits = (await api(page, 'GET', `/api/v1/transport/plans/${dragDay}/trips/${wheelchair}/fits`)).json.vehicles;
    const target = fits.find((f) => f.fits && RAMP_VANS.includes(f.vehicle_id))?.vehicle_id;
    assert.ok(target, JSON.stringify(fits));
    const targetRow = page.locator(`.tl-row[data-vehicle="${target}"] .tl-track`);
    release = await drag(li, targetRow);
    await page.waitForSelector(`.tl-row[data-vehicle="${target}"][data-fits=true].tl-over`);
    if (screenshots) await page.screenshot({ path: `${screenshots}/transport-drag-1920x1080.png` });
    await release();

    // Assert: placed there and pinned; the timeline redrawn with its blocks on that row.
    await page.waitForSelector(`.transport-message:has-text("Cursa a fost plasată pe ${target} și fixată.")`);
    await page.waitForSelector(`.tl-row[data-vehicle="${target}"] .tl-stop[data-trip="${wheelchair}"]`, { state: 'attached' });
    assert.equal(await page.locator(`.planner-unserved li[data-trip="${wheelchair}"]`).count(), 0);
    const after = (await api(page, 'GET', `/api/v1/transport/plans/${dragDay}`)).json;
    assert.ok(after.pinned.includes(wheelchair));
    assert.equal(after.routes.find((r) => r.stops.some((x) => x.trip_id === wheelchair))?.vehicle_id, target);
    // The drop selected the trip: its panel is open.
    await page.waitForSelector(`.trip-panel[data-trip="${wheelchair}"]`);

    // A placed trip's block dragged onto another van's row moves it (when it fits there).
    const moveTo = (await api(page, 'GET', `/api/v1/transport/plans/${dragDay}/trips/${wheelchair}/fits`)).json.vehicles.find((f) => f.fits && !f.current)?.vehicle_id;
    if (moveTo) {
      const block = page.locator(`.tl-row[data-vehicle="${target}"] .tl-stop[data-trip="${wheelchair}"][data-pickup=true]`);
      release = await drag(block, page.locator(`.tl-row[data-vehicle="${moveTo}"] .tl-track`));
      await release();
      await page.waitForSelector(`.tl-row[data-vehicle="${moveTo}"] .tl-stop[data-trip="${wheelchair}"]`, { state: 'attached' });
      assert.equal((await api(page, 'GET', `/api/v1/transport/plans/${dragDay}`)).json.routes.find((r) => r.stops.some((x) => x.trip_id === wheelchair))?.vehicle_id, moveTo);
    }
    assert.deepEqual(await missingTexts(), []);

    for (const [width, height] of [
      [1920, 1080],
      [1366, 768],
    ]) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => window.scrollTo(0, 0));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no page-wide horizontal scroll at ${width}px (${overflow}px)`);
      if (screenshots) await page.screenshot({ path: `${screenshots}/transport-timeline-drop-${width}x${height}.png` });
    }
  });
});
