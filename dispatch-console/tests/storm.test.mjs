// Storm mode and the answer-time report in Chromium, against the real service: a burst of
// alarms past the configured threshold turns the storm banner on, the queue shows one row per
// device with its repeat count, P1 first, and no alarm is lost; the report page draws its chart.
// Runs after the other browser tests (it floods the queue). Run through scripts/console-test.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base, consoleReady, launch, loggedIn, postCall, screenshots, users } from './helpers.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Posts an alarm as a receiver does: a 429 (the per-credential intake limit) is retried after
 * its `retry-after`, the same alarm id, so nothing is lost and nothing is doubled. */
async function postAlarm(device, alarmType) {
  const body = JSON.stringify({ device_id: device, alarm_type: alarmType, device_time: new Date().toISOString(), alarm_id: randomUUID() });
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await fetch(`${base}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.CONSOLE_RECEIVER_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    if (res.status !== 429) {
      // 201 a new item; 200 a repeat attached to the device's open item of that type.
      assert.ok(res.status === 201 || res.status === 200, `alarm answered ${res.status}`);
      return;
    }
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
  }
  assert.fail('the alarm was refused for a minute');
}

describe('storm mode', () => {
  test('a burst past the threshold shows the storm banner and one row per device, P1 first', async () => {
    // Arrange
    const { page, context } = await loggedIn(browser, users.a);
    await consoleReady(page);
    const storm = await (await page.request.get(`${base}/api/v1/storm`)).json();
    const devices = 80;
    const perDevice = 3;
    assert.ok(devices * perDevice >= storm.threshold, `a burst of ${devices * perDevice} passes the threshold ${storm.threshold}`);

    // Act: three alarms from each device, the first of every fourth device a fall (P1).
    const tag = randomUUID().slice(0, 6);
    for (let round = 0; round < perDevice; round++) {
      await Promise.all(
        Array.from({ length: devices }, (_, d) => postAlarm(`TA-STORM-${tag}-${d}`, round === 0 && d % 4 === 0 ? 'fall' : 'inactivity')),
      );
    }

    // Assert: the banner, one row per device with its count, P1 first.
    await page
      .waitForSelector('.storm-banner[data-active=true]', { timeout: 15_000 })
      .catch(async (e) => {
        const seen = await page.getAttribute('.storm-banner', 'data-recent');
        throw new Error(`no storm banner (the console counted ${seen} recent alarms, threshold ${storm.threshold}): ${e.message}`);
      });
    assert.match(await page.textContent('.storm-banner'), /FURTUNĂ DE ALARME/);
    await page.waitForFunction((n) => document.querySelectorAll('section.queue .repeats[data-repeats="3"]').length >= n, devices, { timeout: 15_000 });
    // Rows needing attention (new, or new repeats) first, and among them P1 first.
    const rows = await page.$$eval('section.queue tbody tr[data-level]', (rs) => rs.map((r) => ({ level: r.dataset.level, attention: r.classList.contains('attention') })));
    const firstTaken = rows.findIndex((r) => !r.attention);
    assert.ok(firstTaken < 0 || rows.slice(firstTaken).every((r) => !r.attention), 'attention first');
    const levels = rows.filter((r) => r.attention).map((r) => r.level);
    assert.deepEqual([...levels].sort(), levels, 'levels in order: P1 first');
    // No alarm lost: every device's row counts its three alarms (above), and the queue's count
    // shows every open item, grouped or not. A repeat of an open alert of the same type joins
    // that item, so each device has one item, and the fall devices a second one (the fall, then
    // inactivity). Other test files may have left open items too, hence at least.
    const count = Number(await page.textContent('section.queue .count'));
    const items = devices + devices / 4;
    assert.ok(count >= items, `${count} open items, expected at least ${items}`);
    if (screenshots) await page.screenshot({ path: `${screenshots}/storm.png` });
    await context.close();
  });

  test('an alarm of a registered device shows its beneficiary and carers in order, and records the steps', async () => {
    // Arrange: an alarm from a demo device (seeded with two carers).
    const { page, context } = await loggedIn(browser, users.a);
    await consoleReady(page);
    const res = await fetch(`${base}/api/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.CONSOLE_RECEIVER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: 'TA-DEMO-001', alarm_type: 'button', device_time: new Date().toISOString(), alarm_id: randomUUID() }),
    });
    const item = await res.json();

    // Act: open it from the queue.
    await page.goto(`${base}/items/${item.id}`);
    await page.waitForSelector(`section.detail[data-item-id="${item.id}"] .device[data-device="TA-DEMO-001"]`);

    // Assert: the person first, carers in their order with call buttons; a step goes into the
    // history in words.
    assert.equal(await page.$eval('section.detail', (d) => d.children[1].className.split(' ')[0]), 'person');
    assert.equal(await page.locator('section.detail .carers [data-action=dial-carer]').count(), 2);
    assert.equal(await page.locator('section.detail .carers li').count(), 2);
    assert.match(await page.textContent('section.detail .carers li[data-carer="1"]'), /Aparținător 1A/);
    await page.click('[data-action=acknowledge]');
    await page.waitForSelector(`section.detail[data-item-id="${item.id}"][data-status=acknowledged]`);
    await page.click('button[data-step=called_beneficiary][data-answered=false]');
    await page.waitForSelector('section.detail .history li[data-event=case_recorded]');
    assert.match(await page.textContent('section.detail .history li[data-event=case_recorded]'), /Sunat beneficiarul — nu a răspuns/);

    // A call from the beneficiary's number is recognised, with the earlier alarm in its history.
    const call = await postCall({ caller_number: '+40799000001', category: 'information', immediate_danger: false });
    await page.goto(`${base}/items/${call.id}`);
    await page.waitForSelector('section.detail [data-field=known-caller]');
    assert.match(await page.textContent('section.detail [data-field=known-caller]'), /TA-DEMO-001/);
    assert.ok((await page.locator('section.detail .caller-history li').count()) >= 1);
    await context.close();
  });

  test('the answer-time report shows each channel against its standards with a chart', async () => {
    const { page, context } = await loggedIn(browser, users.a);
    await consoleReady(page);
    await page.click('a.reports-link');
    await page.waitForSelector('.report-channel[data-channel=telecare] svg.answer-chart');
    assert.match(await page.textContent('.report-channel[data-channel=telecare] .standards'), /97,5 % în 60 s/);
    assert.match(await page.textContent('.report-channel[data-channel=emergency_line] .standards'), /90 % în 15 s/);
    assert.equal(await page.locator('.report-channel[data-channel=telecare] svg.answer-chart rect').count(), 37);
    if (screenshots) await page.screenshot({ path: `${screenshots}/answer-times.png`, fullPage: true });
    await context.close();
  });
});
