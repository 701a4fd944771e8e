// The outbound-calls page (/apeluri): a supervisor previews and starts a campaign (age and
// living alone over the demo registry) and sees its progress; a dispatcher adds a call list,
// the calls fall due into "De sunat acum", "Sună" sends the call to the provider's Calls API
// (the fake records it) and the outcome buttons finish it or plan the next try. Romanian
// throughout, checked with the i18n check on. Run through scripts/console-test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base, launch, loggedIn, screenshots, users } from './helpers.mjs';

const sup = { username: process.env.CONSOLE_USER_SUP, password: process.env.CONSOLE_PASS_SUP };
const fake = process.env.CONSOLE_FAKE_SMS_URL;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function open(user) {
  const s = await loggedIn(browser, user);
  await s.context.addInitScript(() => localStorage.setItem('dispecer.i18n-check', '1'));
  await s.page.waitForSelector('[data-action=outbound]');
  await s.page.click('[data-action=outbound]');
  await s.page.waitForSelector('section[data-section=to-call]');
  return s;
}

async function shoot(page, name) {
  if (!screenshots) return;
  for (const [w, hgt] of [[1920, 1080], [1366, 768]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${screenshots}/outbound-${name}-${w}x${hgt}.png` });
  }
}

async function fakeCalls() {
  const res = await fetch(`${fake}/calls`);
  return (await res.json()).calls;
}

describe('outbound calls page', () => {
  test('a supervisor previews and starts a campaign and sees its progress', async () => {
    const { page, context } = await open(sup);
    const name = `Caniculă test ${Date.now()}`;
    await page.fill('input[name=campaign_name]', name);
    await page.fill('input[name=min_age]', '85');
    await page.click('[data-action=preview]');
    await page.waitForFunction(() => /beneficiari selectați/.test(document.querySelector('[data-field=preview]')?.textContent ?? ''));
    const preview = await page.textContent('[data-field=preview]');
    const selected = Number(preview.match(/(\d+) beneficiari selectați/)[1]);
    assert.ok(selected > 0, preview);

    await page.click('[data-action=create-start]');
    const campaign = page.locator('.campaign', { hasText: name });
    await campaign.waitFor();
    await page.waitForFunction((n) => [...document.querySelectorAll('.campaign')].some((c) => c.textContent.includes(n) && /pornită/.test(c.textContent)), name);
    const progress = await campaign.locator('[data-field=progress]').textContent();
    assert.match(progress, new RegExp(`din ${selected}\\)`));
    assert.deepEqual(await page.evaluate(() => window.__i18nMissing ?? []), []);
    await shoot(page, 'supervisor');
    await context.close();
  });

  test('a dispatcher works a call list: dial, answered, no answer planned again', async () => {
    const { page, context } = await open(users.a);
    assert.match(await page.textContent('section[data-section=campaigns]'), /Doar supervizorii pornesc campanii/);
    const stamp = Date.now();
    const person = `Ion Apeluri ${stamp}`;
    await page.fill('input[name=list_service]', 'Serviciul Persoane Vârstnice');
    await page.fill('input[name=list_reason]', `Verificare după externare ${stamp}`);
    const follower = `Ana Urmărire ${stamp}`;
    await page.fill('textarea[name=list_entries]', `TA-DEMO-007\n+40799555${String(stamp % 1000).padStart(3, '0')}; ${person}\n+40799556${String(stamp % 1000).padStart(3, '0')}; ${follower}`);
    await page.click('[data-action=add-list]');
    await page.waitForFunction(() => /3 apeluri create; 0 sărite/.test(document.querySelector('[data-field=flash]')?.textContent ?? ''));

    // Both fall due at once (due now) and appear in "De sunat acum".
    const rowOf = (text) => page.locator('section[data-section=to-call] tbody tr', { hasText: text });
    await rowOf(person).waitFor({ timeout: 20_000 });
    const beneficiary = rowOf(`Verificare după externare ${stamp}`).filter({ hasText: 'TA-DEMO-007' });
    await beneficiary.waitFor({ timeout: 20_000 });
    await shoot(page, 'to-call');

    // Dial the beneficiary: the provider is asked to ring the registry's number.
    const before = (await fakeCalls()).length;
    await beneficiary.locator('[data-action=dial]').click();
    await page.waitForFunction(() => /trimis către operator/.test(document.querySelector('[data-field=flash]')?.textContent ?? ''));
    let calls = [];
    for (let i = 0; i < 50 && calls.length <= before; i++) {
      calls = await fakeCalls();
      await page.waitForTimeout(100);
    }
    assert.equal(calls.length, before + 1);
    assert.equal(calls.at(-1).To ?? calls.at(-1).to, '+40799000007');
    await beneficiary.locator('[data-field=dialled]').waitFor();

    // Answered: it leaves the list and is finished with its outcome in words.
    await beneficiary.locator('input[name=note]').fill('Se simte bine');
    await beneficiary.locator('[data-outcome=answered_ok]').click();
    await page.locator('section[data-section=finished] tbody tr', { hasText: 'A răspuns, totul în regulă' }).filter({ hasText: 'TA-DEMO-007' }).first().waitFor();

    // No answer: planned again for a second try.
    await rowOf(person).locator('[data-outcome=no_answer]').click();
    const planned = page.locator('section[data-section=planned] tbody tr', { hasText: person });
    await planned.waitFor();
    assert.match(await planned.textContent(), /Încercarea 2/);

    // Needs follow-up: a follow-up call is planned with the note the dispatcher wrote.
    const note = `Revine fiica joi, sunați după ora 18 (${stamp})`;
    await rowOf(follower).locator('input[name=note]').fill(note);
    await rowOf(follower).locator('[data-outcome=needs_follow_up]').click();
    const followUp = page.locator('section[data-section=planned] tbody tr', { hasText: note });
    await followUp.waitFor();
    assert.match(await followUp.textContent(), /urmărire cerută la un apel/);
    assert.match(await followUp.textContent(), new RegExp(follower));
    assert.deepEqual(await page.evaluate(() => window.__i18nMissing ?? []), []);
    assert.doesNotMatch(await page.textContent('main'), /\b(planned|raised|answered_ok|no_answer|campaign|schedule)\b/);
    await shoot(page, 'dispatcher');
    await context.close();
  });
});
