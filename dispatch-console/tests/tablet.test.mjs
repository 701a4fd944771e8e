// The driver's tablet, offline first, against the real service: reloaded in a dead zone it
// still shows the stops and the actions waiting to be sent, and sends each once when the link
// is back; every touch target is at least 48 px; an incident needs a reason; the emergency
// button reaches the dispatcher's console as a P1 item with the van's position; messages go
// from the dispatcher's panel to the tablet and back, acknowledged. Works on its own day (ten
// weeks ahead, beyond the demo's recurring trips) and leaves VAN-01 with no work there.
// Screenshots of the tablet at 1024×768 and 390×844. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, row, screenshots, users } from './helpers.mjs';

const driver1 = { username: process.env.CONSOLE_USER_DRIVER1, password: process.env.CONSOLE_PASS_DRIVER1 };
const zone = 'Europe/Bucharest';
const localDate = (at) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
const day = localDate(new Date(Date.now() + 70 * 86_400_000));
/** Where the tablet's GPS says the van is. */
const here = { latitude: 45.7489, longitude: 21.2087 };

let browser;
let disp;
let tablet;
const trips = [];

async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** The driver's tablet in its own context, with a GPS position granted. */
async function openTablet(viewport) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'America/New_York', geolocation: here, permissions: ['geolocation'] });
  // An en-US browser in another zone on purpose: the tablet must still say 24-hour Timișoara time.
  await context.addInitScript(() => localStorage.setItem('dispecer.lang', 'ro'));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[tablet page error] ${e.message}`));
  await page.goto(`${base}/`);
  await page.fill('input[name=username]', driver1.username);
  await page.fill('input[name=password]', driver1.password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('main.tablet[data-busy="0"] .tb-card');
  return { context, page };
}

/** The tablet's outbox (IndexedDB), as the bodies it will send. */
function outboxOf(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('dispecer-tablet');
        open.onsuccess = () => {
          const req = open.result.transaction('outbox').objectStore('outbox').getAll();
          req.onsuccess = () => resolve(req.result.sort((a, b) => a.seq - b.seq));
          req.onerror = () => reject(req.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
}

async function queueItem(page, pred) {
  const q = await api(page, 'GET', '/api/v1/queue');
  return q.json.items.map((x) => x.item).find(pred);
}

/** Every visible touch target of the page that is smaller than 48×48 px. */
function smallTargets(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('main.tablet button, main.tablet a, main.tablet summary, main.tablet select, main.tablet input, main.tablet textarea, header button')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.height < 48 || r.width < 48))
      .map(({ el, r }) => `${el.tagName} ${el.getAttribute('data-action') ?? el.textContent.trim().slice(0, 20)} ${Math.round(r.width)}×${Math.round(r.height)}`),
  );
}

before(async () => {
  assert.ok(driver1.username, 'run through scripts/console-test');
  browser = await launch();
  disp = await loggedIn(browser, users.a);
  await consoleReady(disp.page);
  // The tablet opens the driver's first day with work: other files' days before this one are
  // left without live work on VAN-01 (their trips there are cancelled by the service).
  for (let n = 0; n < 70; n += 1) {
    const date = localDate(new Date(Date.now() + n * 86_400_000));
    const list = await api(disp.page, 'GET', `/api/v1/transport/bookings?date=${date}`);
    for (const t of list.json?.trips ?? []) {
      if (t.vehicle_id === 'VAN-01' && ['booked', 'arrived'].includes(t.status)) {
        await api(disp.page, 'POST', `/api/v1/transport/bookings/${t.id}/cancel`, { reason: 'service_cancel' });
      }
    }
  }
  // Two riders, booked on the test's own day, planned, on VAN-01.
  for (const [i, time] of [
    [1, '09:00:00'],
    [2, '10:30:00'],
  ]) {
    const id = `TAB-0${i}`;
    const r = await api(disp.page, 'POST', '/api/v1/transport/riders', {
      id,
      name: `Beneficiar tabletă ${i}`,
      phone: `+4070009600${i}`,
      mobility: i === 1 ? 'wheelchair' : 'walker',
      door_assistance: i === 2,
      notes: i === 1 ? 'Interfon 14, etajul 3, lift mic' : '',
      places: [
        { kind: 'home', address: `Str. Tabletei nr. ${i}`, lon: 21.215 + i * 0.004, lat: 45.752 - i * 0.002 },
        { kind: 'day_centre', address: 'Centru de zi (demo)', lon: 21.2001, lat: 45.7622 },
      ],
    });
    assert.ok([201, 409].includes(r.status), JSON.stringify(r.json));
    const b = await api(disp.page, 'POST', '/api/v1/transport/bookings', { rider: id, date: day, pickup: { place: 'home' }, dropoff: { place: 'day_centre' }, timing: 'pickup_at', time });
    assert.equal(b.status, 201, JSON.stringify(b.json));
    trips.push(b.json.trips[0].id);
  }
  const p = await api(disp.page, 'POST', `/api/v1/transport/plans/${day}`, { seconds: 1 });
  assert.equal(p.status, 200, JSON.stringify(p.json));
  for (const t of trips) {
    const route = p.json.plan.routes.find((r) => r.stops.some((s) => s.trip_id === t));
    if (route?.vehicle_id !== 'VAN-01') {
      const m = await api(disp.page, 'POST', `/api/v1/transport/plans/${day}/move`, { trip_id: t, vehicle_id: 'VAN-01' });
      assert.equal(m.status, 200, JSON.stringify(m.json));
    }
  }
});

after(async () => {
  // Leave VAN-01 without work on the test's day: what is still booked is cancelled.
  if (disp) {
    for (const t of trips) {
      const got = await api(disp.page, 'GET', `/api/v1/transport/bookings/${t}`);
      if (got.json?.status === 'booked' || got.json?.status === 'arrived') await api(disp.page, 'POST', `/api/v1/transport/bookings/${t}/cancel`);
    }
  }
  await browser?.close();
});

describe('the driver tablet, offline first', () => {
  test('reloaded offline, the tablet shows the stops and the pending actions; back online each action is applied once', async () => {
    tablet = await openTablet({ width: 1024, height: 768 });
    const page = tablet.page;
    assert.equal(await page.getAttribute('.tablet-head', 'data-date'), day);
    assert.match(await page.textContent('.tablet-head'), /^Foaie de parcurs VAN-01 · \p{L}+ \d{1,2} \p{L}+$/u);
    // The service worker holds the shell before the link drops.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 10_000 });
    const card = page.locator('.tb-card');
    const trip = await card.getAttribute('data-trip');
    assert.equal(trip, trips[0]);
    assert.equal(await card.getAttribute('data-kind'), 'pickup');
    // Times are the service's 24-hour HH:MM, whatever the browser's locale.
    assert.match(await card.locator('.stop-time').textContent(), /^\d\d:\d\d /);
    assert.match(await card.locator('a[data-action=navigate]').getAttribute('href'), /^geo:45\.\d+,21\.\d+\?q=45\.\d+,21\.\d+\(Str\.%20Tabletei%20nr\.%201\)$/);
    assert.equal(await card.locator('a[data-action=call]').getAttribute('href'), 'tel:+40700096001');

    // Act: offline, arrived and picked up; then a reload in the dead zone.
    await tablet.context.setOffline(true);
    await card.locator('[data-action=arrived]').click();
    await page.locator(`.tb-card[data-trip="${trip}"] [data-action=picked_up]`).click();
    await page.waitForSelector('.tablet-link.offline[data-pending="2"]');
    const queued = await outboxOf(page);
    await page.reload();

    // Assert: not the login page: the stops (the picked-up one among the done ones, its
    // drop-off the current stop) and the two actions waiting.
    await page.waitForSelector('main.tablet .tablet-link.offline[data-pending="2"]', { timeout: 10_000 });
    assert.equal(new URL(page.url()).pathname, '/sofer');
    assert.equal(await page.locator('form.login').count(), 0);
    await page.waitForSelector(`.tb-done .tablet-stop[data-trip="${trip}"][data-kind=pickup][data-status=picked_up]`, { state: 'attached' });
    assert.equal(await page.locator('.tb-card').getAttribute('data-trip'), trip);
    assert.equal(await page.locator('.tb-card').getAttribute('data-kind'), 'dropoff');
    if (screenshots) await page.screenshot({ path: `${screenshots}/tablet-offline-1024x768.png` });

    // Back online: the outbox empties, the trip is picked up at the time recorded offline.
    await tablet.context.setOffline(false);
    await page.waitForSelector('.tablet-link.online[data-pending="0"]', { timeout: 20_000 });
    const got = await api(disp.page, 'GET', `/api/v1/transport/bookings/${trip}`);
    assert.equal(got.json.status, 'picked_up');
    assert.equal(queued.length, 2);
    assert.deepEqual(queued.map((e) => e.body.kind), ['arrived', 'picked_up']);
    assert.equal(new Date(got.json.picked_up_at).getTime(), new Date(queued[1].body.at).getTime());
    // Each was recorded once: sent again, the service answers with the first record.
    for (const e of queued) {
      const r = await api(page, 'POST', e.path, e.body);
      assert.equal(r.status, 200);
      assert.equal(r.json.replay, true);
      assert.equal(r.json.action.action_id, e.id);
    }
  });

  test('every touch target is at least 48 px and no button is red on red, at 1024×768 and 390×844', async () => {
    const page = tablet.page;
    for (const viewport of [
      { width: 1024, height: 768 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      // As the driver sees it: the current stop first, the conversation and done stops folded.
      await page.evaluate(() => window.scrollTo(0, 0));
      if (screenshots) await page.screenshot({ path: `${screenshots}/tablet-${viewport.width}x${viewport.height}.png`, fullPage: true });
      await page.locator('.tb-done summary').click();
      assert.deepEqual(await smallTargets(page), [], `small targets at ${viewport.width}×${viewport.height}`);
      await page.locator('.tb-message-box summary').click();
      assert.deepEqual(await smallTargets(page), [], `small targets with messages open at ${viewport.width}`);
      // The warning and danger buttons: their text is not the colour of their background.
      const clashes = await page.evaluate(() =>
        [...document.querySelectorAll('main.tablet button')]
          .map((b) => getComputedStyle(b))
          .filter((s) => s.color === s.backgroundColor).length,
      );
      assert.equal(clashes, 0);
      if (screenshots) await page.screenshot({ path: `${screenshots}/tablet-open-${viewport.width}x${viewport.height}.png`, fullPage: true });
      await page.locator('.tb-message-box summary').click();
      await page.locator('.tb-done summary').click();
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.click('[data-action=incident]');
      assert.deepEqual(await smallTargets(page), [], `small targets in the incident form at ${viewport.width}`);
      if (screenshots) await page.screenshot({ path: `${screenshots}/tablet-incident-${viewport.width}x${viewport.height}.png` });
      await page.click('.tb-dialog [data-action=cancel]');
    }
  });

  test('an incident is sent only with a reason, and "other" only with words', async () => {
    const page = tablet.page;
    await page.click('[data-action=incident]');
    const send = page.locator('[data-action=send-incident]');
    assert.equal(await send.isDisabled(), true, 'no reason yet');
    await page.click('[data-incident=other]');
    assert.equal(await send.isDisabled(), true, '"other" needs words');
    await page.fill('textarea[name=incident-text]', 'Pasagerul a uitat actele');
    await page.click('[data-incident=road_blocked]');
    await page.fill('textarea[name=incident-text]', 'Str. Gheorghe Lazăr închisă');
    assert.equal(await send.isDisabled(), false);
    await send.click();
    await page.waitForSelector('main.tablet[data-busy="0"] .tablet-link[data-pending="0"]');
    const item = await queueItem(disp.page, (i) => i.kind === 'incident' && i.details.description === 'Incident VAN-01: drum blocat: Str. Gheorghe Lazăr închisă');
    assert.ok(item, 'a queue item with the reason and the words');
    assert.equal(item.priority.level, 'P2');
    assert.equal(item.subject.position.lat, here.latitude);
  });

  test("the emergency button asks once more, then reaches the dispatcher's console as P1 with the van's position", async () => {
    const page = tablet.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('[data-action=sos]');
    if (screenshots) await page.screenshot({ path: `${screenshots}/tablet-emergency-390x844.png` });
    // The confirm button is not where the emergency button was: a double tap cancels.
    const sosBox = await page.locator('.tb-sos-dialog [data-action=cancel]').boundingBox();
    const confirmBox = await page.locator('[data-action=confirm-sos]').boundingBox();
    assert.ok(confirmBox.y > sosBox.y + sosBox.height + 40);
    await page.fill('input[name=sos-text]', 'pasager agresiv');
    await page.click('[data-action=confirm-sos]');
    await page.waitForSelector('[data-field=sos-state]:not([hidden])');
    await page.waitForSelector('main.tablet[data-busy="0"] .tablet-link[data-pending="0"]');
    const item = await queueItem(disp.page, (i) => i.kind === 'incident' && i.details.code === 'emergency' && i.details.description.includes('pasager agresiv'));
    assert.ok(item, 'a P1 emergency item');
    assert.equal(item.priority.level, 'P1');
    assert.equal(item.priority.rule, 'transport-driver-emergency');
    assert.equal(item.subject.position.lon, here.longitude);
    await row(disp.page, item.id).waitFor({ timeout: 10_000 });
    // At the top of the dispatcher's queue: only other new P1 items (an earlier deadline) may
    // stand above it.
    const levels = await disp.page.locator('section.queue tr[data-item-id]').evaluateAll((rows, id) => {
      const at = rows.findIndex((r) => r.getAttribute('data-item-id') === id);
      return at < 0 ? null : rows.slice(0, at).map((r) => r.getAttribute('data-level'));
    }, item.id);
    assert.ok(levels, 'the emergency is in the queue');
    assert.ok(levels.every((l) => l === 'P1'), `only P1 rows above the emergency: ${levels}`);
    if (screenshots) await disp.page.screenshot({ path: `${screenshots}/tablet-emergency-console.png` });
  });

  test('messages: the dispatcher writes to VAN-01, the tablet acknowledges and answers, the panel shows both', async () => {
    const page = tablet.page;
    await disp.page.goto(`${base}/transport`);
    const panel = disp.page.locator('#transport-messages');
    // The panel follows the page's date (tomorrow when it opens): messages go out today only.
    // Today in Timișoara, as the service counts it (the machine's own date differs from 22:00 or
    // 23:00 UTC on).
    const today = localDate(new Date());
    assert.notEqual(await panel.getAttribute('data-date'), today);
    assert.ok(await panel.locator('form.messages-send').isHidden());
    await disp.page.fill('input[name=plan-date]', today);
    await disp.page.dispatchEvent('input[name=plan-date]', 'change');
    await disp.page.waitForFunction((d) => document.querySelector('#transport-messages')?.getAttribute('data-date') === d, today);
    await panel.locator('select[name=message-vehicle] option[value=VAN-01]').waitFor({ state: 'attached' });
    await panel.locator('select[name=message-vehicle]').selectOption('VAN-01');
    await panel.locator('input[name=message-text]').fill('Preluați și pe dna Ionescu de la 11:30');
    await panel.locator('[data-action=send-driver-message]').click();

    // Pushed to the tablet, waiting on top until acknowledged.
    const banner = page.locator('.tb-banner', { hasText: 'dna Ionescu' });
    await banner.waitFor({ timeout: 10_000 });
    const id = await banner.getAttribute('data-message');
    await panel.locator(`.driver-message[data-message="${id}"].waiting`).waitFor();
    if (screenshots) await page.screenshot({ path: `${screenshots}/tablet-message-390x844.png` });
    await banner.locator('[data-action=ack]').click();
    await banner.waitFor({ state: 'detached' });
    await panel.locator(`.driver-message[data-message="${id}"]:not(.waiting)`).waitFor({ timeout: 10_000 });
    assert.match(await panel.locator(`.driver-message[data-message="${id}"] [data-field=mark]`).textContent(), /confirmat \d\d:\d\d/);

    // The answer: one tap on a canned message; the panel shows it unread until marked read.
    await page.locator('.tb-message-box summary').click();
    await page.click('[data-canned=late_10]');
    const reply = panel.locator('.driver-message.from-driver.waiting', { hasText: 'Întârzii 10 min' });
    await reply.waitFor({ timeout: 10_000 });
    assert.equal(await panel.locator('.messages-vehicle[data-vehicle=VAN-01]').getAttribute('data-unread'), '1');
    await reply.locator('[data-action=mark-read]').click();
    await panel.locator('.messages-vehicle[data-vehicle=VAN-01][data-unread="0"]').waitFor({ timeout: 10_000 });
    await page.locator('.tb-message.mine', { hasText: /citit \d\d:\d\d/ }).waitFor({ timeout: 10_000 });
    if (screenshots) await disp.page.locator('#transport-messages').screenshot({ path: `${screenshots}/transport-messages.png` });

    // Finish the trip picked up in the first test: dropped off (the day is left without work).
    await page.locator(`.tb-card[data-trip="${trips[0]}"][data-kind=dropoff] [data-action=dropped_off]`).click();
    await page.waitForSelector('main.tablet[data-busy="0"] .tablet-link[data-pending="0"]');
    await tablet.context.close();
  });
});
