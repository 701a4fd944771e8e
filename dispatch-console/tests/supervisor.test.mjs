// The supervisor's screen: who is logged in, each dispatcher's open items, a reassignment to
// another dispatcher and a release to nobody, the read audit of the case, and the answer-time
// figures updated live. Run through scripts/console-test (CONSOLE_USER_SUP is a supervisor).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postCall, screenshots, users } from './helpers.mjs';

const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };

let browser;
let a;
let b;
let s;

async function inPage(page, method, path, body) {
  const out = await page.evaluate(
    async ([m, p, bd]) => {
      const r = await fetch(p, { method: m, headers: bd ? { 'content-type': 'application/json' } : {}, body: bd ? JSON.stringify(bd) : undefined });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    [method, path, body],
  );
  if (out.status >= 300) throw new Error(`${method} ${path} → ${out.status} ${JSON.stringify(out.json)}`);
  return out.json;
}

/** Codes and English words that must not show on the Romanian screen. */
const RAW = /(?<![\p{L}_])(view_item|view_history|websocket|allowed|redacted|refused|dispatcher|supervisor|acknowledged|assigned|unclassified|neglect|Logged|Move|Release)(?![\p{L}_])/u;

before(async () => {
  assert.ok(sup.username && sup.password, 'CONSOLE_USER_SUP / CONSOLE_PASS_SUP are set by scripts/console-test');
  browser = await launch();
  a = await loggedIn(browser, users.a);
  await consoleReady(a.page);
  b = await loggedIn(browser, users.b);
  await consoleReady(b.page);
});

after(async () => {
  await browser?.close();
});

describe('supervisor screen', () => {
  test('a supervisor sees who is logged in, reassigns an item, reads its audit and releases it', async () => {
    // Arrange: A acknowledges a call and opens it (a read the audit records).
    const item = await postCall({ caller_number: '+40256000222', category: 'neglect', immediate_danger: false, notes: 'supraveghere' });
    await inPage(a.page, 'POST', `/api/v1/items/${item.id}/acknowledge`);
    await a.page.goto(`${base}/items/${item.id}`);
    await a.page.waitForSelector(`section.detail[data-item-id="${item.id}"]`);

    // Act: the supervisor logs in and follows the console's link to the screen.
    s = await loggedIn(browser, sup);
    await s.page.waitForSelector('[data-action=supervisor]');
    await s.page.click('[data-action=supervisor]');
    await s.page.waitForURL(/\/supervizor$/);
    const page = s.page;

    // Assert: both dispatchers are listed as logged in; the item is A's.
    await page.waitForSelector(`.sup-sessions tr[data-session="${users.a.username}"]`);
    await page.waitForSelector(`.sup-sessions tr[data-session="${users.b.username}"]`);
    assert.match(await page.locator(`.sup-sessions tr[data-session="${users.a.username}"]`).first().innerText(), /Ana Testescu/);
    assert.match(await page.locator(`.sup-sessions tr[data-session="${users.a.username}"]`).first().innerText(), /dispecer/);
    const underA = page.locator(`.sup-dispatcher[data-dispatcher="${users.a.username}"] .sup-item[data-item-id="${item.id}"]`);
    await underA.waitFor();
    await page.waitForSelector('[data-kpi=kpi_received] .kpi-value');
    assert.ok(Number(await page.textContent('[data-kpi=kpi_received] .kpi-value')) >= 1);

    // The read audit of the case: A opened it.
    await underA.locator('[data-action=audit]').click();
    const read = page.locator(`.sup-audit tr[data-actor="${users.a.username}"][data-action=view_item]`).first();
    await read.waitFor();
    assert.match(await read.innerText(), /a deschis lucrarea/);
    assert.match(await read.innerText(), /permis/);
    if (screenshots) {
      for (const [w, hgt] of [[1366, 768], [1920, 1080]]) {
        await page.setViewportSize({ width: w, height: hgt });
        await page.screenshot({ path: `${screenshots}/supervisor-${w}.png` });
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    assert.doesNotMatch(await page.locator('main').innerText(), RAW);

    // Reassign to B.
    await underA.locator(`select[data-reassign="${item.id}"]`).selectOption(users.b.username);
    await underA.locator('[data-action=reassign]').click();
    await page.locator(`.sup-dispatcher[data-dispatcher="${users.b.username}"] .sup-item[data-item-id="${item.id}"]`).waitFor();
    await underA.waitFor({ state: 'detached' });
    assert.equal((await inPage(page, 'GET', `/api/v1/items/${item.id}`)).item.handler, users.b.username);
    const events = await inPage(page, 'GET', `/api/v1/items/${item.id}/events`);
    assert.ok(events.events.some((e) => e.event.type === 'handler_changed' && e.event.to === users.b.username && e.actor === sup.username), 'reassigned as an event, by the supervisor');

    // Release to nobody.
    await page.locator(`.sup-item[data-item-id="${item.id}"] [data-action=release]`).click();
    await page.locator(`.sup-item[data-item-id="${item.id}"]`).waitFor({ state: 'detached' });
    assert.equal((await inPage(page, 'GET', `/api/v1/items/${item.id}`)).item.handler, null);
  });

  test('the answer-time figures follow new work without a reload', async () => {
    const page = s.page;
    const before = Number(await page.textContent('[data-kpi=kpi_received] .kpi-value'));
    await page.evaluate(() => (window.__sameDocument = true));
    const fresh = await postCall({ caller_number: '+40256000333', category: 'information', immediate_danger: false });
    await inPage(a.page, 'POST', `/api/v1/items/${fresh.id}/acknowledge`);
    await page.waitForFunction((n) => Number(document.querySelector('[data-kpi=kpi_received] .kpi-value')?.textContent) > n, before, { timeout: 5000 });
    await page.locator(`.sup-dispatcher[data-dispatcher="${users.a.username}"] .sup-item[data-item-id="${fresh.id}"]`).waitFor({ timeout: 5000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
    // Where each one is: the supervisor on this screen, in words.
    await page.locator(`.sup-sessions tr[data-session="${sup.username}"]`).filter({ hasText: 'supervizare' }).first().waitFor({ timeout: 5000 });
  });

  test('a dispatcher is not shown the screen or its link', async () => {
    assert.equal(await a.page.locator('[data-action=supervisor]').count(), 0);
    await a.page.goto(`${base}/supervizor`);
    await consoleReady(a.page);
    assert.equal(new URL(a.page.url()).pathname, '/');
    assert.equal(await a.page.locator('.supervisor-page').count(), 0);
  });
});
