// The console as dispatchers use it, against the real service: log in, live queue, actions,
// two dispatchers, the P1 alarm, the language switch, a driver refused a domestic-violence case,
// and the map. Each test names the behaviour it shows. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postAlert, postCall, row, screenshots, users } from './helpers.mjs';

let browser;
let a; // dispatcher A: { context, page }
let b; // dispatcher B, another browser context (other cookies, other websocket)

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('dispatch console', () => {
  test('a dispatcher logs in and sees the live queue', async () => {
    // Arrange: something in the queue so the snapshot has a row.
    await postAlert('low_battery');

    // Act
    a = await loggedIn(browser, users.a);

    // Assert
    await consoleReady(a.page);
    assert.equal(new URL(a.page.url()).pathname, '/');
    assert.match(await a.page.textContent('[data-field=who]'), new RegExp(users.a.username));
    assert.equal(await a.page.textContent('section.queue h2'), 'Coada de lucru');
  });

  test('a wrong password is refused on the login page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.fill('input[name=username]', users.a.username);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('form.login .error:not([hidden])');
    assert.match(await page.textContent('form.login .error'), /greșită/);
    await context.close();
  });

  test('an alert posted to the API appears in the queue within 1 s, without reload or polling', async () => {
    // Arrange: mark the document, and watch every HTTP request the page makes from now on.
    const { page } = a;
    await page.evaluate(() => (window.__sameDocument = true));
    const requests = [];
    const watch = (r) => requests.push(r.url());
    page.on('request', watch);

    // Act
    const posted = Date.now();
    const item = await postAlert('inactivity');
    await row(page, item.id).waitFor({ timeout: 1000 });
    const elapsed = Date.now() - posted;
    page.off('request', watch);

    // Assert
    assert.ok(elapsed < 1000, `appeared after ${elapsed} ms`);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
    assert.deepEqual(requests, [], 'the page fetched something instead of waiting for the push');
    assert.equal(await row(page, item.id).getAttribute('data-status'), 'new');
    assert.match(await row(page, item.id).textContent(), /inactivitate/);
    // The priority explanation is on hover (the row's title).
    assert.match(await row(page, item.id).getAttribute('title'), /după regula/);
  });

  test('acknowledge and assign in the detail; a second dispatcher sees each change at once', async () => {
    // Arrange: B logs in in another context; a call with a location to show on the map.
    b = await loggedIn(browser, users.b);
    await consoleReady(b.page);
    const item = await postCall({
      caller_number: '+40720000001',
      category: 'neglect',
      immediate_danger: false,
      location: { address: 'Strada Lazăr 24, Timișoara', lon: 21.2215, lat: 45.7592 },
      notes: 'vecina nu a mai fost văzută de două zile',
    });
    await row(a.page, item.id).waitFor();
    await row(b.page, item.id).waitFor();
    // The row says who and where: the caller's number (no known name) and the street.
    assert.equal((await row(a.page, item.id).locator('[data-field=name]').textContent()).trim(), '+40720000001');
    assert.equal((await row(a.page, item.id).locator('[data-field=where]').textContent()).trim(), 'Strada Lazăr 24');
    assert.match(await row(a.page, item.id).locator('[data-field=what]').textContent(), /neglijare · telefon/);

    // Act: A opens it and acknowledges.
    await row(a.page, item.id).click();
    await a.page.waitForSelector(`section.detail[data-item-id="${item.id}"]`);
    await a.page.click('[data-action=acknowledge]');

    // Assert: B's queue shows it acknowledged by A, without B doing anything.
    await b.page.waitForSelector(`section.queue tr[data-item-id="${item.id}"][data-status=acknowledged]`, { timeout: 2000 });

    // Act: A assigns a van and its driver (through the assignment panel ranked by ETA when the
    // console has it, else the form of free resources).
    const panel = a.page.locator('[data-field=assign-panel]');
    if (await panel.count()) {
      const van = panel.locator('tr.cand[data-resource-id="VAN-01"]');
      await van.waitFor();
      await van.locator('[data-action=assign-pair]').click();
    } else {
      await a.page.check('input[name=resource][value="VAN-01"]');
      await a.page.check('input[name=resource][value="SOFER-01"]');
      await a.page.click('[data-action=assign]');
    }

    // Assert: B sees the item assigned and the van busy.
    await b.page.waitForSelector(`section.queue tr[data-item-id="${item.id}"][data-status=assigned]`, { timeout: 2000 });
    await b.page.waitForSelector('section.resources tr[data-resource-id="VAN-01"][data-status=assigned]', { timeout: 2000 });
    assert.match(await a.page.textContent('section.detail [data-field=handler]'), new RegExp(users.a.username));
    assert.match(await a.page.textContent('section.detail [data-field=assigned]'), /VAN-01/);

    // Act: B opens the same item, A adds a note; B's detail shows it live.
    await row(b.page, item.id).click();
    await b.page.waitForSelector(`section.detail[data-item-id="${item.id}"]`);
    await a.page.fill('textarea[name=note]', 'Echipa pleacă acum.');
    await a.page.click('[data-action=note]');
    await b.page.waitForSelector('section.detail .notes li:has-text("Echipa pleacă acum.")', { timeout: 2000 });
    await a.page.waitForSelector('section.detail .history li[data-event=note_added]');

    // A second assignment of the same van is a conflict, shown with the server's message.
    const other = await postCall({ caller_number: '+40720000002', category: 'abuse', immediate_danger: false });
    await row(b.page, other.id).click();
    await b.page.waitForSelector(`section.detail[data-item-id="${other.id}"] [data-action=acknowledge]`);
    await b.page.click('[data-action=acknowledge]');
    await b.page.waitForSelector(`section.detail[data-item-id="${other.id}"][data-status=acknowledged]`);
    assert.equal(await b.page.locator('input[name=resource][value="VAN-01"]').count(), 0, 'a busy van is not offered');
    assert.equal(await b.page.locator('tr.cand[data-resource-id="VAN-01"]:not([data-busy=true]) [data-action=assign-pair]:not([disabled])').count(), 0, 'a busy van is not offered');

    if (screenshots) {
      await a.page.mouse.move(0, 0);
      await a.page.evaluate(() => (document.querySelector('section.detail').scrollTop = 0));
      await a.page.screenshot({ path: `${screenshots}/detail.png` });
    }
  });

  test('a P1 alarm rings on every console and stops when any dispatcher acknowledges', async () => {
    // Act
    const item = await postAlert('fall');

    // Assert: both consoles show the banner and sound the alarm.
    for (const { page } of [a, b]) {
      await page.waitForSelector('.alarm-banner:not([hidden])', { timeout: 2000 });
      assert.equal(await page.getAttribute('body', 'data-alarm'), 'on');
      assert.match(await page.textContent('.alarm-banner'), /ALARMĂ P1/);
      assert.equal(await row(page, item.id).getAttribute('data-level'), 'P1');
    }
    if (screenshots) {
      await a.page.mouse.move(0, 0);
      await a.page.screenshot({ path: `${screenshots}/queue.png` });
    }

    // Act: B acknowledges from the banner.
    await b.page.click(`.alarm-banner .alarm-open[data-item-id="${item.id}"]`);
    await b.page.waitForSelector(`section.detail[data-item-id="${item.id}"] [data-action=acknowledge]`);
    await b.page.click('[data-action=acknowledge]');

    // Assert: A's alarm stops because the acknowledged event arrived over its websocket.
    await a.page.waitForSelector('.alarm-banner[hidden]', { state: 'attached', timeout: 2000 });
    assert.equal(await a.page.getAttribute('body', 'data-alarm'), 'off');
    assert.equal(await b.page.getAttribute('body', 'data-alarm'), 'off');
  });

  test('the language switch changes the texts and is remembered', async () => {
    const { page } = a;
    await page.click('[data-action=lang]');
    assert.equal(await page.textContent('section.queue h2'), 'Work queue');
    assert.equal(await page.textContent('[data-action=logout]'), 'Sign out');
    assert.equal(await page.evaluate(() => localStorage.getItem('dispecer.lang')), 'en');

    await page.reload();
    await consoleReady(page);
    assert.equal(await page.textContent('section.queue h2'), 'Work queue');

    await page.click('[data-action=lang]');
    assert.equal(await page.textContent('section.queue h2'), 'Coada de lucru');
  });

  test('a driver is sent to the tablet page and cannot open a domestic-violence case', async () => {
    // Arrange
    const dv = await postCall({
      caller_number: '+40720000003',
      category: 'domestic_violence',
      immediate_danger: true,
      location: { address: 'Calea Șagului 50' },
    });

    // Act
    const driver = await loggedIn(browser, users.driver);
    await driver.page.waitForSelector('main.tablet');

    // Assert: the tablet page, with who is logged in.
    assert.equal(new URL(driver.page.url()).pathname, '/sofer');
    assert.match(await driver.page.textContent('[data-field=who]'), new RegExp(users.driver.username));

    // Act: open the case by address.
    await driver.page.goto(`${base}/items/${dv.id}`);

    // Assert: the page shows the refusal, and the API refuses too.
    await driver.page.waitForSelector('.refusal[data-status="403"]');
    assert.match(await driver.page.textContent('.refusal'), /Acces refuzat/);
    assert.equal(await driver.page.locator('text=+40720000003').count(), 0);
    const status = await driver.page.evaluate(async (id) => (await fetch(`/api/v1/items/${id}`)).status, dv.id);
    assert.equal(status, 403);
    await driver.context.close();
  });

  test('the map draws the served road map with attribution, items and an address search', async () => {
    const { page } = a;
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.waitForFunction(() => document.querySelector('.map-status')?.textContent === '', null, { timeout: 10_000 });
    assert.match(await page.textContent('[data-field=attribution]'), /© OpenStreetMap contributors/);

    // Act: look up the caller's address.
    await page.fill('form.geocode input[name=address]', 'Lazăr 24');
    await page.click('form.geocode button[type=submit]');
    const first = page.locator('.geocode-results li button').first();
    await first.waitFor({ timeout: 5000 });
    const label = await first.textContent();
    await first.click();

    // Assert: the results close and the map recentres at street level (the pin is drawn on the
    // canvas, so the check is that the canvas is not blank and the search list closed).
    assert.ok(label && /laz/i.test(label), `first candidate: ${label}`);
    assert.equal(await page.locator('.geocode-results li').count(), 0);
    // The street-level layer may still be loading when the click returns: wait for the redraw.
    const inked = await page
      .waitForFunction(
        () => {
          const c = document.querySelector('canvas.map-canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 200) n++;
          return n > 500 ? n : false;
        },
        null,
        { timeout: 10_000, polling: 100 },
      )
      .then((h) => h.jsonValue())
      .catch(() => 0);
    assert.ok(inked > 500, 'the canvas shows roads');
    await page.waitForTimeout(300);
    if (screenshots) await page.locator('section.map').screenshot({ path: `${screenshots}/map.png` });
  });
});
