// A dispatcher's shift in Chromium, against the real service: rows that say who and where, the
// detail that opens with the person, the map and the queue selecting each other, the keyboard
// and its help, the banner when the server is unreachable, a storm of 200 alarms in which an
// acknowledged device's new alarms stay in sight, and no raw code or missing text in Romanian.
// Screenshots at 1366×768 and 1920×1080. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postCall, row, screenshots, users } from './helpers.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A logged-in console at a given screen size, with the dictionary check on: a missing text
 * shows as ⟦…⟧ and is listed in window.__i18nMissing. */
async function shiftConsole(width = 1366, height = 768, { holdable = false } = {}) {
  const s = await loggedIn(browser, users.a);
  await consoleReady(s.page);
  await s.context.addInitScript(() => localStorage.setItem('dispecer.i18n-check', '1'));
  // Optionally the websocket through a relay that can hold the server's messages back (to press a
  // button the next event would remove, and see the server's refusal).
  const relay = { held: null, page: null };
  if (holdable) {
    await s.context.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      relay.page = ws;
      server.onMessage((m) => (relay.held ? relay.held.push(m) : ws.send(m)));
    });
  }
  s.hold = () => (relay.held = []);
  s.release = () => {
    const held = relay.held ?? [];
    relay.held = null;
    for (const m of held) relay.page?.send(m);
  };
  await s.page.setViewportSize({ width, height });
  await s.page.reload();
  await consoleReady(s.page);
  return s;
}

/** Posts an alarm as the receiver does (a 429 is retried after its retry-after). */
async function alarm(device, alarmType) {
  const body = JSON.stringify({ device_id: device, alarm_type: alarmType, device_time: new Date().toISOString(), alarm_id: randomUUID() });
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await fetch(`${base}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.CONSOLE_RECEIVER_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    if (res.status !== 429) {
      assert.ok(res.status === 200 || res.status === 201, `alarm answered ${res.status}`);
      const json = await res.json();
      return json.item ?? json;
    }
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
  }
  assert.fail('the alarm was refused for a minute');
}

/** What the page shows that a Romanian dispatcher must never see: a ⟦missing⟧ text or a raw
 * snake_case code. */
async function rawCodes(page) {
  return page.evaluate(() => {
    const text = document.body.innerText;
    const found = [];
    for (const m of text.matchAll(/⟦[^⟧]*⟧/g)) found.push(m[0]);
    for (const m of text.matchAll(/\b[a-z]+(?:_[a-z0-9]+)+\b/g)) found.push(m[0]);
    for (const m of window.__i18nMissing ?? []) found.push(`missing:${m}`);
    return [...new Set(found)];
  });
}

describe('the shift console', () => {
  test('queue rows name the person, the place, the device or number; SMS looks different; a withheld number reads "număr ascuns"', async () => {
    const { page, context } = await shiftConsole();
    const device = 'TA-DEMO-004';
    const ta = await alarm(device, 'door_open');
    const hidden = await postCall({ category: 'unclassified', immediate_danger: false });
    const sms = await postCall({ caller_number: '+40720000100', category: 'information', immediate_danger: false, channel: 'sms', location: { address: 'Strada Alba Iulia 3, Timișoara', lon: 21.227, lat: 45.753 } });

    await row(page, ta.id).waitFor();
    await row(page, sms.id).waitFor();
    await row(page, hidden.id).waitFor();

    // The alarm: the beneficiary's name and street from the device registry, and the device id.
    const taRow = row(page, ta.id);
    assert.match(await taRow.locator('[data-field=name]').textContent(), /Ion|Elena|Maria|Gheorghe|Ana|Vasile|Ioana|Nicolae|Floarea|Petru/);
    assert.match(await taRow.locator('[data-field=handle]').textContent(), new RegExp(device));
    assert.match(await taRow.locator('[data-field=where]').textContent(), /Strada|Bulevardul|Calea/);
    assert.match(await taRow.locator('[data-field=what]').textContent(), /ușă deschisă · alarmă/);

    // The SMS: its channel in words and its own look; the address without the city.
    assert.equal(await row(page, sms.id).getAttribute('data-channel'), 'sms');
    assert.match(await row(page, sms.id).getAttribute('class'), /\bsms\b/);
    assert.match(await row(page, sms.id).locator('[data-field=what]').textContent(), /informare · SMS/);
    assert.equal((await row(page, sms.id).locator('[data-field=where]').textContent()).trim(), 'Strada Alba Iulia 3');

    // The withheld number.
    assert.equal((await row(page, hidden.id).locator('[data-field=name]').textContent()).trim(), 'număr ascuns');
    assert.equal(await page.locator('section.queue :text-is("withheld")').count(), 0);

    // Attention first: every new row is above every acknowledged one.
    const attention = await page.$$eval('section.queue tbody tr[data-item-id]', (rs) => rs.map((r) => r.classList.contains('attention')));
    assert.deepEqual(attention, [...attention].sort((a, b) => Number(b) - Number(a)), 'rows needing attention come first');

    if (screenshots) {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${screenshots}/queue-1366.png` });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${screenshots}/queue-1920.png` });
    }
    await context.close();
  });

  test('the detail opens with the person: name, address, phone, notes, key safe, carers in order with call buttons; then actions; history in words', async () => {
    const { page, context } = await shiftConsole();
    const item = await alarm('TA-DEMO-002', 'fall');
    await row(page, item.id).click();
    await page.waitForSelector(`section.detail[data-item-id="${item.id}"] .person[data-device="TA-DEMO-002"]`);

    // The person comes before the actions and the case work.
    const order = await page.$$eval('section.detail > *', (els) => els.map((e) => e.className.split(' ')[0]));
    assert.ok(order.indexOf('person') >= 0 && order.indexOf('person') < order.indexOf('actions'), `order: ${order}`);
    const person = page.locator('section.detail .person');
    assert.match(await person.locator('[data-field=person-name]').textContent(), /\w+ \w+/);
    assert.match(await person.locator('[data-field=address]').textContent(), /Timișoara/);
    assert.match(await person.locator('[data-field=phone]').textContent(), /\+40799000002/);
    assert.match(await person.locator('[data-field=medical]').textContent(), /fictive/);
    assert.match(await person.locator('[data-field=key-safe]').textContent(), /cod 1002/);
    assert.equal(await person.locator('.carers li').count(), 2);
    assert.match(await person.locator('.carers li[data-carer="1"]').textContent(), /Aparținător 2A/);
    assert.equal(await person.locator('.carers [data-action=dial-carer]').count(), 2);
    assert.equal(await person.locator('[data-action=dial-beneficiary]').count(), 1);

    // The explanation in words, no rule id or English.
    assert.match(await page.textContent('[data-field=why-level]'), /P1 după regula „TeleAsistență — viață în pericol”: .*cădere/);

    // Act: acknowledge, record a carer step; the history says which step and which answer.
    await page.click('[data-action=acknowledge]');
    await page.waitForSelector(`section.detail[data-item-id="${item.id}"][data-status=acknowledged]`);
    await person.locator('.carers li[data-carer="1"] .carer-answer button').nth(1).click();
    const li = page.locator('section.detail .history li[data-event=case_recorded]').last();
    await li.waitFor();
    assert.match(await li.textContent(), /Sunat aparținătorul — nu a răspuns — 1\. Aparținător 2A/);
    assert.match(await page.textContent('section.detail .history'), /primită: P1 cădere · alarmă/);
    assert.doesNotMatch(await page.textContent('section.detail'), /după [0-9a-f]{6}\b/);

    if (screenshots) {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${screenshots}/detail-1366.png` });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${screenshots}/detail-1920.png` });
    }
    await context.close();
  });

  test('the call buttons dial through the provider: a carer, and the history says whom (needs the dial endpoint)', async () => {
    const { page, context } = await shiftConsole();
    const item = await alarm('TA-DEMO-003', 'button');
    await row(page, item.id).click();
    await page.waitForSelector(`section.detail[data-item-id="${item.id}"] .carers [data-action=dial-carer]`);
    await page.click('.carers li[data-carer="1"] [data-action=dial-carer]');
    await page.waitForSelector('[data-field=dial-note]:has-text("Apel în curs către Aparținător 3A")', { timeout: 5000 });
    await page.waitForSelector('section.detail .history li[data-event=case_recorded]', { timeout: 10_000 });
    assert.match(await page.textContent('section.detail .history li[data-event=case_recorded]'), /apel cerut prin centrală către: aparținătorul 1/);
    assert.deepEqual(await rawCodes(page), []);
    await context.close();
  });

  test('selecting in the queue centres and highlights the marker; clicking a marker opens its item', async () => {
    const { page, context } = await shiftConsole(1366, 768);
    await page.waitForFunction(() => document.querySelector('.map-status')?.textContent === '', null, { timeout: 10_000 });
    const one = await postCall({ caller_number: '+40720000201', category: 'neglect', immediate_danger: false, location: { address: 'Strada Lazăr 24, Timișoara', lon: 21.2215, lat: 45.7592 } });
    const two = await alarm('TA-DEMO-009', 'inactivity');
    await row(page, one.id).waitFor();
    await row(page, two.id).waitFor();
    await page.waitForSelector(`[data-marker-item="${one.id}"]`, { state: 'attached' });

    // Queue → map.
    await row(page, one.id).click();
    await page.waitForSelector(`[data-marker-item="${one.id}"][data-selected=true]`, { state: 'attached' });
    const canvas = await page.locator('canvas.map-canvas').boundingBox();
    const m = await page.locator(`[data-marker-item="${one.id}"]`).evaluate((li) => ({ x: Number(li.dataset.x), y: Number(li.dataset.y) }));
    assert.ok(Math.abs(m.x - canvas.width / 2) < 3 && Math.abs(m.y - canvas.height / 2) < 3, `marker at ${m.x},${m.y} of ${canvas.width}×${canvas.height}`);
    if (screenshots) await page.screenshot({ path: `${screenshots}/map-1366.png` });

    // Map → queue: the alarm's marker at the beneficiary's home, a kilometre away (zoom out).
    for (let i = 0; i < 4; i++) await page.click('.map-zoom button[aria-label="−"]');
    await page.waitForTimeout(200);
    const li = page.locator(`[data-marker-item="${two.id}"]`);
    await li.waitFor({ state: 'attached' });
    const p = await li.evaluate((el) => ({ x: Number(el.dataset.x), y: Number(el.dataset.y) }));
    assert.ok(p.x > 0 && p.y > 0 && p.x < canvas.width && p.y < canvas.height, `the alarm's marker is in view: ${p.x},${p.y}`);
    await page.mouse.click(canvas.x + p.x, canvas.y + p.y);
    await page.waitForSelector(`section.detail[data-item-id="${two.id}"]`);
    assert.match(await row(page, two.id).getAttribute('class'), /selected/);
    assert.equal(new URL(page.url()).pathname, `/items/${two.id}`);

    if (screenshots) {
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.keyboard.press('m');
      await page.waitForTimeout(500);
      await page.screenshot({ path: `${screenshots}/map-1920.png` });
    }
    await context.close();
  });

  test('a call re-categorised is re-prioritised and re-explained in words at once', async () => {
    const { page, context } = await shiftConsole();
    const call = await postCall({ caller_number: '+40720000601', category: 'unclassified', immediate_danger: false });
    await row(page, call.id).click();
    await page.waitForSelector(`section.detail[data-item-id="${call.id}"] [data-action=acknowledge]`);
    assert.match(await page.textContent('[data-field=why-level]'), /P1 după regula „apel în așteptare pe linie”: tip apel, categorie neclasificat/);
    await page.click('[data-action=acknowledge]');
    await page.waitForSelector(`section.detail[data-item-id="${call.id}"][data-status=acknowledged]`);

    await page.selectOption('select[name=category]', 'neglect');
    await page.click('[data-action=categorise]');

    await page.waitForFunction(() => /P2 după regula „apel — sesizare de protecție”: tip apel, categorie neglijare/.test(document.querySelector('[data-field=why-level]')?.textContent ?? ''), null, { timeout: 5000 });
    await page.waitForSelector(`section.queue tr[data-item-id="${call.id}"][data-level=P2]`, { timeout: 2000 });
    assert.match(await page.textContent('section.detail .history'), /nivel schimbat: P2/);
    assert.match(await page.textContent('section.detail .history'), /categorisit: neglijare/);
    assert.deepEqual(await rawCodes(page), []);
    await context.close();
  });

  test('hotkeys move, open, acknowledge, note and close; ? lists them; nothing fires while typing', async () => {
    const { page, context } = await shiftConsole();
    const item = await postCall({ caller_number: '+40720000301', category: 'abuse', immediate_danger: false });
    await row(page, item.id).waitFor();

    // ? opens the help, Esc closes it.
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await page.keyboard.press('?');
    await page.waitForSelector('.help-overlay:not([hidden])');
    assert.equal(await page.locator('.help-overlay tr[data-key]').count(), 9);
    assert.match(await page.textContent('.help-overlay'), /Scurtături de tastatură/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.help-overlay[hidden]', { state: 'attached' });

    // j moves the cursor to the first row; k/j walk to our item; Enter opens it.
    await page.keyboard.press('j');
    const first = await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.itemId);
    assert.ok(first, 'a row has the focus');
    await row(page, item.id).focus();
    const isFirst = await page.evaluate((id) => document.querySelector('section.queue tbody tr')?.dataset.itemId === id, item.id);
    await page.keyboard.press(isFirst ? 'j' : 'k');
    assert.notEqual(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.itemId), item.id, 'the cursor moved');
    await page.keyboard.press(isFirst ? 'ArrowUp' : 'ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.itemId), item.id);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`section.detail[data-item-id="${item.id}"]`);

    // a acknowledges.
    await page.keyboard.press('a');
    await page.waitForSelector(`section.detail[data-item-id="${item.id}"][data-status=acknowledged]`);

    // n goes to the note; typing there is text, not shortcuts.
    await page.keyboard.press('n');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'note');
    await page.keyboard.type('jak c');
    assert.equal(await page.inputValue('textarea[name=note]'), 'jak c');
    assert.equal(await page.getAttribute('section.detail', 'data-item-id'), item.id);
    await page.keyboard.press('Escape');

    // s goes to the assignment block, c to the outcome.
    await page.keyboard.press('s');
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[data-hotkey=assign], form.assign')), 's focuses the assignment block');
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'outcome');
    await page.keyboard.press('Escape');

    // Esc closes the detail.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => location.pathname === '/' && !document.querySelector('section.detail[data-item-id]'));
    await context.close();
  });

  test('when the server cannot be reached a full-width banner gives the last update and the clocks are marked stale', async () => {
    const { page, context } = await shiftConsole();
    await postCall({ caller_number: '+40720000401', category: 'information', immediate_danger: false });
    await page.waitForTimeout(300);

    await context.setOffline(true);
    await page.waitForSelector('.stale-banner:not([hidden])', { timeout: 30_000 });
    const text = await page.textContent('.stale-banner');
    assert.match(text, /LEGĂTURA CU SERVERUL S-A PIERDUT/);
    assert.match(text, /Ultima actualizare: \d{1,2}:\d{2}:\d{2}/);
    assert.equal(await page.getAttribute('body', 'data-stale'), 'true');
    const banner = await page.locator('.stale-banner').boundingBox();
    assert.ok(banner.width >= 1366 - 20, `the banner spans the screen: ${banner.width}`);
    assert.ok((await page.locator('td.clock.stale').count()) > 0, 'clocks are marked stale');
    if (screenshots) await page.screenshot({ path: `${screenshots}/stale-1366.png` });

    await context.setOffline(false);
    await page.waitForSelector('.stale-banner[hidden]', { state: 'attached', timeout: 15_000 });
    await page.waitForSelector('.link-status.link-open');
    await context.close();
  });

  test('the P1 sound comes back after a reload at the first key press', async () => {
    // A browser that, like a real one, keeps audio locked until a gesture.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const Real = window.AudioContext;
      window.AudioContext = class extends Real {
        constructor() {
          super();
          this.__locked = true;
        }
        get state() {
          return this.__locked ? 'suspended' : super.state;
        }
        resume() {
          this.__locked = !navigator.userActivation?.isActive;
          return super.resume();
        }
      };
    });
    await page.goto(`${base}/`);
    await page.fill('input[name=username]', users.a.username);
    await page.fill('input[name=password]', users.a.password);
    await page.click('form.login button[type=submit]');
    await consoleReady(page);
    const p1 = await alarm(`TA-SOUND-${randomUUID().slice(0, 6)}`, 'fall');
    await row(page, p1.id).waitFor();
    await page.reload();
    await consoleReady(page);
    await page.waitForSelector('.alarm-banner:not([hidden]) [data-action=enable-sound]');
    assert.equal(await page.getAttribute('.alarm-banner', 'data-sound'), 'off');

    await page.keyboard.press('x');
    await page.waitForSelector('.alarm-banner[data-sound=on]', { timeout: 5000 });
    assert.equal(await page.locator('[data-action=enable-sound]').count(), 0);
    await page.evaluate(async (id) => fetch(`/api/v1/items/${id}/acknowledge`, { method: 'POST' }), p1.id);
    await context.close();
  });

  test('no raw code and no missing text on the Romanian screens (queue, details of each kind, a refusal, address search)', async () => {
    const s = await shiftConsole(1920, 1080, { holdable: true });
    const { page, context } = s;
    const items = [
      await alarm(`TA-CODES-${randomUUID().slice(0, 6)}`, 'low_battery'),
      await alarm('TA-DEMO-006', 'missed_checkin'),
      await postCall({ category: 'unclassified', immediate_danger: false }),
      await postCall({ caller_number: '+40720000501', category: 'domestic_violence', immediate_danger: true, channel: 'sms', reporter: 'neighbour', location: { address: 'Calea Șagului 50' } }),
      await postCall({ caller_number: '+40720000502', category: 'crisis_info', immediate_danger: false }),
    ];
    for (const it of items) await row(page, it.id).waitFor();
    for (const it of items) {
      await row(page, it.id).click();
      await page.waitForSelector(`section.detail[data-item-id="${it.id}"] .history li`);
      assert.deepEqual(await rawCodes(page), [], `detail of ${it.category}`);
    }
    // A refusal from the server: acknowledging an item already taken (the live event that would
    // remove the button is held back meanwhile).
    const it = items[4];
    await row(page, it.id).click();
    await page.waitForSelector(`section.detail[data-item-id="${it.id}"] [data-action=acknowledge]`);
    s.hold();
    assert.equal(await page.evaluate(async (id) => (await fetch(`/api/v1/items/${id}/acknowledge`, { method: 'POST' })).status, it.id), 200);
    await page.click('[data-action=acknowledge]');
    await page.waitForSelector('[data-field=action-error]');
    const refusal = await page.textContent('[data-field=action-error]');
    assert.match(refusal, /lucrarea a fost deja preluată|conflict cu o altă acțiune/);
    assert.doesNotMatch(refusal, /[A-Za-z]+ is |cannot|already/);
    s.release();
    // An address search: result kinds in words.
    await page.fill('form.geocode input[name=address]', 'Lazăr');
    await page.click('form.geocode button[type=submit]');
    await page.locator('.geocode-results li button').first().waitFor({ timeout: 5000 });
    assert.doesNotMatch(await page.textContent('.geocode-results'), /\b(address|street|poi)\b/);
    assert.deepEqual(await rawCodes(page), [], 'queue, refusal and search');
    await context.close();
  });

  test('a storm of 200 alarms: an acknowledged device keeps its row with its new alarms counted, and a group is taken at once', async () => {
    const { page, context } = await shiftConsole(1920, 1080);
    const tag = randomUUID().slice(0, 6);
    const watched = `TA-STORMACK-${tag}`;
    const first = await alarm(watched, 'fall');
    await row(page, first.id).waitFor();
    await row(page, first.id).click();
    await page.click('[data-action=acknowledge]');
    await page.waitForSelector(`section.queue tr[data-item-id="${first.id}"][data-status=acknowledged]`);

    // The storm: 100 devices × 2 alarms; the watched device falls again 4 times in the middle.
    const devices = Array.from({ length: 100 }, (_, d) => `TA-STORM2-${tag}-${d}`);
    await Promise.all(devices.map((d) => alarm(d, 'inactivity')));
    for (let i = 0; i < 4; i++) await alarm(watched, 'fall');
    await Promise.all(devices.map((d) => alarm(d, d.endsWith('0') ? 'fall' : 'door_open')));
    await page.waitForSelector('.storm-banner[data-active=true]', { timeout: 15_000 });

    // The acknowledged item is in view with its 4 new alarms, among the rows needing attention.
    const watchedRow = row(page, first.id);
    await page.waitForSelector(`section.queue tr[data-item-id="${first.id}"] .unseen[data-unseen="4"]`, { timeout: 15_000 });
    assert.match(await watchedRow.getAttribute('class'), /attention/);
    const rows = await page.$$eval('section.queue tbody tr[data-item-id]', (rs) => rs.map((r) => ({ id: r.dataset.itemId, attention: r.classList.contains('attention'), level: r.dataset.level })));
    const at = rows.findIndex((r) => r.id === first.id);
    assert.ok(rows.slice(0, at).every((r) => r.attention), 'only rows needing attention are above it');
    assert.ok(rows.slice(0, at).every((r) => r.level <= 'P1'), 'and only P1 ones');
    assert.equal(await page.locator('.alarm-banner:not([hidden])').count(), 1, 'a P1 with unseen repeats keeps the alarm on');

    // One device, two alarm types: a group of two new items, taken at once.
    const grouped = page.locator('section.queue [data-action=take-group]').first();
    await grouped.waitFor();
    const head = await grouped.evaluate((b) => b.closest('tr').dataset.itemId);
    const n = Number(await grouped.getAttribute('data-count'));
    assert.ok(n >= 2);
    await grouped.click();
    await page.waitForSelector('section.queue .bulk-note:has-text("preluate")', { timeout: 10_000 });
    assert.match(await page.textContent('section.queue .bulk-note'), new RegExp(`^${n} preluate, 0 refuzate`));
    await page.waitForSelector(`section.queue tr[data-item-id="${head}"][data-status=acknowledged]`);
    if (screenshots) await page.screenshot({ path: `${screenshots}/storm-1920.png` });

    // Opening the watched item and taking it again marks its repeats seen.
    await watchedRow.click();
    await page.click(`section.detail[data-item-id="${first.id}"] [data-action=acknowledge]`);
    await page.waitForSelector(`section.queue tr[data-item-id="${first.id}"]:not(.attention)`, { timeout: 5000 });
    assert.deepEqual(await rawCodes(page), []);
    await context.close();
  });
});
