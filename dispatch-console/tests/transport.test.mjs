// Adapted transport end to end, against the real service and a fake SMS provider: a dispatcher
// books 30 trips for tomorrow (some recurring, some wheelchair) and plans the day from the
// console; the driver of VAN-01 works through the manifest on the tablet, first through a dropped
// connection, then with one no-show; the dispatcher's queue shows the no-show; the fake SMS API
// received exactly the expected messages. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, row, screenshots, users } from './helpers.mjs';

const fakeSms = process.env.CONSOLE_FAKE_SMS_URL;
const driver1 = { username: process.env.CONSOLE_USER_DRIVER1, password: process.env.CONSOLE_PASS_DRIVER1 };
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest', year: 'numeric', month: '2-digit', day: '2-digit' });
const inDays = (n) => dayFmt.format(new Date(Date.now() + n * 86400000));
const tomorrow = inDays(1);
const weekday = (iso) => ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(`${iso}T12:00:00Z`).getUTCDay()];

let browser;
let disp; // the dispatcher's { context, page }
let tablet; // the driver's
const confirmKeys = new Set(); // every (trip, promised time) a plan has shown
let noShowTrip;
let offlineTrip;

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

async function snapshotPlan() {
  const { status, json } = await api(disp.page, 'GET', `/api/v1/transport/plans/${tomorrow}`);
  assert.equal(status, 200);
  for (const m of json.manifests) for (const s of m.stops) if (s.pickup) confirmKeys.add(`confirm:${s.trip_id}:${s.time}`);
  return json;
}

before(async () => {
  assert.ok(fakeSms && driver1.username, 'run through scripts/console-test');
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('adapted transport', () => {
  test('a dispatcher books 30 trips for tomorrow (some recurring, some wheelchair) and plans the day in the console', async () => {
    disp = await loggedIn(browser, users.a);
    await consoleReady(disp.page);
    // Fifteen synthetic riders, every third in a wheelchair.
    for (let i = 1; i <= 15; i++) {
      const id = `E2E-${String(i).padStart(2, '0')}`;
      const r = await api(disp.page, 'POST', '/api/v1/transport/riders', {
        id,
        name: `Beneficiar test ${i}`,
        phone: `+4070009${String(i).padStart(4, '0')}`,
        mobility: i % 3 === 0 ? 'wheelchair' : i % 5 === 0 ? 'walker' : 'seated',
        door_assistance: i % 4 === 0,
        notes: i % 2 ? 'Sunați la interfon.' : '',
        places: [
          { kind: 'home', address: `Str. Exemplu nr. ${i}`, lon: 21.19 + (i % 5) * 0.012, lat: 45.74 + Math.floor(i / 5) * 0.01 },
          { kind: i % 2 ? 'dialysis' : 'day_centre', address: i % 2 ? 'Centru de dializă (demo)' : 'Centru de zi (demo)', lon: i % 2 ? 21.2419 : 21.2001, lat: i % 2 ? 45.7386 : 45.7622 },
        ],
      });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    // The first booking through the console's form: recurring, with a return.
    await disp.page.goto(`${base}/transport`);
    await disp.page.waitForSelector('form.booking-form select[name=rider] option[value="E2E-01"]', { state: 'attached' });
    await disp.page.selectOption('select[name=rider]', 'E2E-01');
    await disp.page.selectOption('select[name=pickup]', 'home');
    await disp.page.selectOption('select[name=dropoff]', 'dialysis');
    await disp.page.selectOption('select[name=timing]', 'arrive_by');
    await disp.page.fill('input[name=time]', '08:00');
    await disp.page.fill('input[name=return_time]', '12:30');
    await disp.page.check(`input[name=day-${weekday(tomorrow)}]`);
    await disp.page.check(`input[name=day-${weekday(inDays(3))}]`);
    await disp.page.fill('input[name=until]', inDays(8));
    await disp.page.click('[data-action=book]');
    await disp.page.waitForSelector('.transport-message:has-text("Programare înregistrată")');
    // A rider registered through the console's form (not booked: the day keeps its 30 trips).
    await disp.page.fill('input[name=rider-id]', 'E2E-00');
    await disp.page.fill('input[name=rider-name]', 'Beneficiar test 0');
    await disp.page.fill('input[name=rider-phone]', '+40700090000');
    await disp.page.selectOption('select[name=rider-mobility]', 'wheelchair');
    await disp.page.fill('input[name=rider-home]', 'Str. Exemplu nr. 0');
    await disp.page.fill('input[name=rider-home-pos]', '21.21, 45.75');
    await disp.page.fill('input[name=rider-dest]', 'Centru de dializă (demo)');
    await disp.page.fill('input[name=rider-dest-pos]', '21.2419, 45.7386');
    await disp.page.click('[data-action=add-rider]');
    await disp.page.waitForSelector('.transport-message:has-text("Beneficiar înregistrat: E2E-00")');
    const registered = await api(disp.page, 'GET', '/api/v1/transport/riders/E2E-00');
    assert.equal(registered.json.mobility, 'wheelchair');
    // The other fourteen through the API, every fourth recurring.
    for (let i = 2; i <= 15; i++) {
      const r = await api(disp.page, 'POST', '/api/v1/transport/bookings', {
        rider: `E2E-${String(i).padStart(2, '0')}`,
        date: tomorrow,
        pickup: { place: 'home' },
        dropoff: { place: i % 2 ? 'dialysis' : 'day_centre' },
        timing: 'arrive_by',
        time: `${String(7 + (i % 4)).padStart(2, '0')}:${i % 2 ? '30' : '45'}:00`,
        return_time: `${String(12 + (i % 4)).padStart(2, '0')}:15:00`,
        ...(i % 4 === 0 ? { repeat: { weekdays: [weekday(tomorrow)], until: inDays(15) } } : {}),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    // Other files book that day too (the riders page's SMS replies): count this file's riders.
    const list = await api(disp.page, 'GET', `/api/v1/transport/bookings?date=${tomorrow}`);
    assert.equal(list.json.trips.filter((t) => /^E2E-\d\d$/.test(t.rider_id)).length, 30);

    // Plan from the console.
    await disp.page.click('[data-action=plan]');
    // The outcome in the dispatcher's words, not the service's (English) log lines; at least
    // this file's 30 trips, and Romanian says "de" from 20 on ("30 de curse").
    await disp.page.waitForFunction(() => /^Planul, versiunea \d+: \d+ de curse pe (un vehicul|\d+ vehicule), \d+,\d km; curse neonorate: \d+\.$/.test(document.querySelector('.transport-message')?.textContent ?? ''), null, { timeout: 60_000 });
    await disp.page.waitForSelector('[data-field=plan-version]', { timeout: 60_000 });
    assert.match(await disp.page.textContent('[data-field=plan-version]'), /✓/);
    assert.ok((await disp.page.locator('.manifest').count()) >= 1);
    let plan = await snapshotPlan();
    assert.equal(plan.unserved.length, 0, JSON.stringify(plan.unserved));
    // VAN-01 (the test driver's) gets at least three trips: moved there by hand if needed.
    const onVan1 = () => plan.routes.find((r) => r.vehicle_id === 'VAN-01').stops.filter((s) => s.pickup).length;
    for (const r of plan.routes) {
      if (onVan1() >= 3) break;
      if (r.vehicle_id === 'VAN-01') continue;
      for (const s of r.stops.filter((x) => x.pickup)) {
        if (onVan1() >= 3) break;
        const moved = await api(disp.page, 'POST', `/api/v1/transport/plans/${tomorrow}/move`, { trip_id: s.trip_id, vehicle_id: 'VAN-01' });
        if (moved.status === 200) plan = await snapshotPlan();
      }
    }
    assert.ok(onVan1() >= 3);
    if (screenshots) await disp.page.screenshot({ path: `${screenshots}/transport.png`, fullPage: true });
  });

  test('offline: the tablet records two actions without a connection and each is applied once on reconnect', async () => {
    tablet = await loggedIn(browser, driver1);
    await tablet.page.setViewportSize({ width: 412, height: 915 });
    await tablet.page.waitForSelector('main.tablet .tablet-stop[data-kind=pickup]');
    assert.equal(new URL(tablet.page.url()).pathname, '/sofer');
    const first = tablet.page.locator('.tablet-stop[data-kind=pickup]').first();
    offlineTrip = await first.getAttribute('data-trip');
    assert.ok((await first.locator('a.call').getAttribute('href')).startsWith('tel:+4070009'));

    // Act: the connection drops; arrived and picked up are recorded.
    await tablet.context.setOffline(true);
    await first.locator('[data-action=arrived]').click();
    await tablet.page.locator(`.tablet-stop[data-trip="${offlineTrip}"][data-kind=pickup] [data-action=picked_up]`).click();
    await tablet.page.waitForSelector('.tablet-link.offline[data-pending="2"]');
    // The tablet's outbox (IndexedDB): what it will send, in order.
    const queued = await tablet.page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('dispecer-tablet');
          open.onsuccess = () => {
            const req = open.result.transaction('outbox').objectStore('outbox').getAll();
            req.onsuccess = () => resolve(req.result.sort((a, b) => a.seq - b.seq).map((e) => e.body));
            req.onerror = () => reject(req.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    await tablet.context.setOffline(false);
    await tablet.page.waitForSelector('.tablet-link.online[data-pending="0"]', { timeout: 20_000 });

    // Assert: the trip is picked up, at the time the driver recorded it offline.
    const trip = await api(disp.page, 'GET', `/api/v1/transport/bookings/${offlineTrip}`);
    assert.equal(trip.json.status, 'picked_up');
    const actions = queued;
    assert.equal(actions.length, 2);
    assert.equal(new Date(trip.json.picked_up_at).getTime(), new Date(actions[1].at).getTime());
    // Replaying the same two actions changes nothing: the server knows their ids.
    for (const a of actions) {
      const r = await api(tablet.page, 'POST', '/api/v1/transport/actions', a);
      assert.equal(r.status, 200);
      assert.equal(r.json.replay, true);
    }
    if (screenshots) await tablet.page.screenshot({ path: `${screenshots}/sofer.png`, fullPage: true });
  });

  test('the driver works through the manifest with one no-show; the queue shows it; the fake SMS API got exactly the expected messages', async () => {
    const page = tablet.page;
    for (let guard = 0; guard < 60; guard++) {
      await page.waitForSelector('main.tablet[data-busy="0"] .tablet-link[data-pending="0"]');
      // Once this day's work is done the tablet opens VAN-01's next day with work, if another
      // file left one: that is not this test's to drive.
      if ((await page.getAttribute('.tablet-head', 'data-date')) !== tomorrow) break;
      const next = page.locator('.tablet-stop:not(.done)').first();
      if ((await next.count()) === 0) break;
      const kind = await next.getAttribute('data-kind');
      const trip = await next.getAttribute('data-trip');
      // That stop, whatever comes first by the time of the tap: a change pushed meanwhile may
      // redraw the list (and reorder it), not change what the driver is tapping.
      const stop = page.locator(`.tablet-stop[data-trip="${trip}"][data-kind=${kind}]`);
      const tap = async (action) => {
        try {
          await stop.locator(`[data-action=${action}]`).click({ timeout: 15_000 });
        } catch (e) {
          // What the tablet showed instead: every stop with its status, in order.
          const shown = await page.evaluate(() => [...document.querySelectorAll('.tablet-stop')].map((x) => `${x.dataset.trip}:${x.dataset.kind}:${x.dataset.status}${x.classList.contains('done') ? ':done' : ''}`));
          throw new Error(`${action} on ${trip} (${kind}): ${e.message}\nshown: ${shown.join(' ')}`);
        }
      };
      if (kind === 'pickup' && !noShowTrip && trip !== offlineTrip) {
        noShowTrip = trip;
        await tap('no_show');
        await tap('confirm-no-show');
      } else if (kind === 'pickup') {
        await tap('picked_up');
      } else {
        await tap('dropped_off');
      }
      await page.waitForSelector('main.tablet[data-busy="0"] .tablet-link[data-pending="0"]');
    }
    assert.ok(noShowTrip, 'VAN-01 had a second pick-up for the no-show');
    if ((await page.getAttribute('.tablet-head', 'data-date')) === tomorrow) assert.equal(await page.locator('.tablet-stop:not(.done)').count(), 0);

    // The dispatcher's queue shows the no-show.
    await disp.page.goto(`${base}/`);
    await consoleReady(disp.page);
    const queue = await api(disp.page, 'GET', '/api/v1/queue');
    const item = queue.json.items.map((x) => x.item).find((i) => i.kind === 'incident' && i.details.description.includes(noShowTrip));
    assert.ok(item, 'a queue item for the no-show');
    await row(disp.page, item.id).waitFor();

    // Every trip of the day: done, except the no-show.
    const list = await api(disp.page, 'GET', `/api/v1/transport/bookings?date=${tomorrow}`);
    const van1 = list.json.trips.filter((t) => t.vehicle_id === 'VAN-01');
    assert.ok(van1.every((t) => (t.id === noShowTrip ? t.status === 'no_show' : t.status === 'dropped_off')));

    // Exactly the expected messages: a confirmation of every promised time the plan showed, and
    // one no-show notice; nothing twice.
    // Only this day's trips count: other test files book days of their own (the tablet's).
    // planner_drag.test.mjs answers an SMS on this day too (a rider's reply counts for today's and
    // tomorrow's trips only): its rider (E2E-DA-…) and messages are its own.
    const dayTrips = new Set(list.json.trips.filter((t) => !t.rider_id.startsWith('E2E-DA-')).map((t) => t.id));
    const ofDay = (m) => dayTrips.has(m.key.split(':')[1]);
    const expected = new Set([...confirmKeys].filter((k) => dayTrips.has(k.split(':')[1])).concat(`noshow:${noShowTrip}`));
    let got;
    for (let i = 0; i < 100; i++) {
      got = await (await fetch(`${fakeSms}/messages`)).json();
      got.messages = got.messages.filter(ofDay);
      if ([...expected].every((k) => got.messages.some((m) => m.key === k))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const keys = got.messages.map((m) => m.key);
    for (const k of expected) assert.ok(keys.includes(k), `sent: ${k}`);
    // The riders page's test plans this day first, so each booking here was inserted into that
    // plan and confirmed at its inserted time before the day was planned again: the only other
    // messages are such earlier confirmations of this day's trips, never a second notice.
    const extra = keys.filter((k) => !expected.has(k));
    assert.ok(extra.every((k) => k.startsWith('confirm:')), `unexpected: ${extra.join(', ')}`);
    assert.equal(got.duplicates, 0);
    const notice = got.messages.find((m) => m.key === `noshow:${noShowTrip}`);
    assert.match(notice.body, /nu v-am gasit/);
    assert.ok(got.messages.every((m) => m.to.startsWith('+4070009') && m.from === 'DAS-TM'));
    await tablet.context.close();
  });
});
