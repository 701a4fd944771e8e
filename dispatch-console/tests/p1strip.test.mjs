// A P1 alarm reaches a dispatcher on every page: on the beds, transport or outbound pages a red
// strip under the top bar names the waiting P1s and the tone sounds; each is a link that opens it
// on the console, and the strip goes as soon as anyone takes it. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, base, consoleReady, launch, loggedIn, postAlert, screenshots, users } from './helpers.mjs';

let browser;
let a; // dispatcher A, away from the console
let b; // dispatcher B, on the console

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('the P1 strip on the other pages', () => {
  test('a P1 that arrives while a dispatcher looks up a bed shows on that page and opens on the console', async () => {
    // Arrange: B on the console takes every P1 earlier tests left waiting, so the strip is this
    // test's alone.
    b = await loggedIn(browser, users.b);
    await consoleReady(b.page);
    const left = await b.page.$$eval('section.queue tr.attention[data-level=P1]', (rows) => rows.map((r) => r.dataset.itemId));
    if (left.length) assert.equal((await api(b.page, 'POST', '/api/v1/items/acknowledge', { ids: left })).status, 200);
    a = await loggedIn(browser, users.a);
    await consoleReady(a.page);
    await a.page.goto(`${base}/paturi`);
    await a.page.waitForSelector('header.topbar');
    await a.page.waitForSelector('[data-field=p1-strip][hidden]', { state: 'attached' });
    // The way back to the queue is in the top bar.
    assert.equal(await a.page.textContent('header.topbar [data-action=queue]'), '← Coada de lucru');
    assert.equal(await a.page.getAttribute('header.topbar [data-action=queue]', 'href'), '/');

    // Act
    const item = await postAlert('fall');

    // Assert: the strip, right under the top bar, names it; the tone is on.
    const link = a.page.locator(`[data-field=p1-strip]:not([hidden]) a.alarm-open[data-item-id="${item.id}"]`);
    await link.waitFor({ timeout: 3000 });
    assert.match(await a.page.textContent('[data-field=p1-strip] strong'), /ALARMĂ P1/);
    assert.match(await link.textContent(), /cădere/);
    assert.equal(await a.page.getAttribute('body', 'data-alarm'), 'on');
    assert.equal(await a.page.evaluate(() => document.querySelector('header.topbar')?.nextElementSibling?.dataset.field), 'p1-strip');
    if (screenshots) {
      await a.page.setViewportSize({ width: 1366, height: 768 });
      await a.page.screenshot({ path: `${screenshots}/p1-strip-beds-1366x768.png` });
    }

    // A page opened later shows it at once (from the socket's snapshot), in the planner too.
    await a.page.goto(`${base}/transport`);
    await a.page.locator(`[data-field=p1-strip] a[data-item-id="${item.id}"]`).waitFor({ timeout: 3000 });
    const strip = await a.page.locator('[data-field=p1-strip]').boundingBox();
    assert.ok(strip.height < 50, `one line: ${strip.height}px`);

    // Act: the link opens the item on the console.
    await a.page.click(`[data-field=p1-strip] a[data-item-id="${item.id}"]`);
    await a.page.waitForSelector(`section.detail[data-item-id="${item.id}"] [data-action=acknowledge]`);
    assert.equal(new URL(a.page.url()).pathname, `/items/${item.id}`);
    // The console has its own banner, not the strip.
    assert.equal(await a.page.locator('[data-field=p1-strip]').count(), 0);

    // Act: B takes it on the console while A is back on the beds page.
    await a.page.goto(`${base}/paturi`);
    await a.page.locator(`[data-field=p1-strip] a[data-item-id="${item.id}"]`).waitFor({ timeout: 3000 });
    assert.equal((await api(b.page, 'POST', `/api/v1/items/${item.id}/acknowledge`)).status, 200);

    // Assert: the strip and the tone stop on A's page.
    await a.page.waitForSelector('[data-field=p1-strip][hidden]', { state: 'attached', timeout: 3000 });
    assert.equal(await a.page.getAttribute('body', 'data-alarm'), 'off');
  });

  test('signing out ends the strip and its tone: the login page never rings', async () => {
    // Arrange: a P1 waits while A is on the beds page.
    const item = await postAlert('fall');
    await a.page.locator(`[data-field=p1-strip] a[data-item-id="${item.id}"]`).waitFor({ timeout: 3000 });
    assert.equal(await a.page.getAttribute('body', 'data-alarm'), 'on');

    // Act
    await a.page.click('[data-action=logout]');

    // Assert
    await a.page.waitForSelector('form.login');
    assert.equal(await a.page.locator('[data-field=p1-strip]').count(), 0);
    assert.equal(await a.page.getAttribute('body', 'data-alarm'), 'off');
    assert.equal((await api(b.page, 'POST', `/api/v1/items/${item.id}/acknowledge`)).status, 200);
  });
});
