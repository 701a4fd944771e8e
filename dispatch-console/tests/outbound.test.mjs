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
// The dispatcher who edits a beneficiary's profile: their own, and a device of their own.
const profiler = { username: process.env.CONSOLE_USER_PROFILE, password: process.env.CONSOLE_PASS_PROFILE };

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

async function shoot(page, name, focus) {
  if (!screenshots) return;
  for (const [w, hgt] of [[1920, 1080], [1366, 768]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.waitForTimeout(200);
    // A panel below the fold (the profile form) is brought into the picture.
    if (focus) await focus.evaluate((el) => el.scrollIntoView({ block: 'end' }));
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
  test('a dispatcher edits a beneficiary profile: birth year and living alone, a bad year refused in words', async () => {
    assert.ok(profiler.username, 'CONSOLE_USER_PROFILE is set by scripts/console-test');
    const { page, context } = await open(profiler);
    // Arrange: a beneficiary of this test, with nothing known about them yet.
    const device = `TA-PROFIL-${Date.now() % 100000}`;
    const made = await page.evaluate(async (d) => {
      const r = await fetch('/api/v1/teleasistenta/devices', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ device_id: d, beneficiary: 'Maria Profil (test)', address: 'Strada Mărășești 5, Timișoara', phone: '+40256000917' }),
      });
      return r.status;
    }, device);
    assert.equal(made, 201);

    // Act: open the profile.
    const section = page.locator('section[data-section=profile]');
    await section.locator('input[name=profile_device]').fill(device);
    await section.locator('[data-action=open-profile]').click();
    const form = section.locator(`form.profile-form[data-device="${device}"]`);
    await form.waitFor();
    // Assert: nothing known yet, in words.
    assert.equal(await form.locator('input[name=birth_year]').inputValue(), '');
    assert.equal(await form.locator('select[name=lives_alone] option:checked').textContent(), 'nu se știe');

    // Act: a year out of range.
    await form.locator('input[name=birth_year]').fill('1850');
    await form.locator('[data-action=save-profile]').click();
    // Assert: refused in words, the field marked.
    await page.waitForFunction(() => /Anul nașterii trebuie să fie între 1900 și/.test(document.querySelector('[data-field=flash]')?.textContent ?? ''));
    assert.equal(await form.locator('input[name=birth_year]').getAttribute('aria-invalid'), 'true');

    // Act: born 1938, lives alone.
    await form.locator('input[name=birth_year]').fill('1938');
    await form.locator('select[name=lives_alone]').selectOption('true');
    assert.match(await form.locator('[data-field=age]').textContent(), new RegExp(`^${new Date().getFullYear() - 1938} de ani în acest an$`));
    await form.locator('[data-action=save-profile]').click();
    await page.waitForFunction(() => /Profilul a fost salvat/.test(document.querySelector('[data-field=flash]')?.textContent ?? ''));
    await shoot(page, 'profile', section);

    // Assert: stored (read back by the server) and shown again when reopened.
    const stored = await page.evaluate(async (d) => (await fetch(`/api/v1/outbound/beneficiaries/${d}`)).json(), device);
    assert.equal(stored.birth_year, 1938);
    assert.equal(stored.lives_alone, true);
    await page.reload();
    await page.waitForSelector('section[data-section=profile]');
    await section.locator('input[name=profile_device]').fill(device);
    await section.locator('[data-action=open-profile]').click();
    await form.waitFor();
    assert.equal(await form.locator('input[name=birth_year]').inputValue(), '1938');
    assert.equal(await form.locator('select[name=lives_alone] option:checked').textContent(), 'da');

    // Act: living alone no longer known to be true: "nu".
    await form.locator('select[name=lives_alone]').selectOption('false');
    await form.locator('[data-action=save-profile]').click();
    await page.waitForFunction(() => /Profilul a fost salvat/.test(document.querySelector('[data-field=flash]')?.textContent ?? ''));
    const changed = await page.evaluate(async (d) => (await fetch(`/api/v1/outbound/beneficiaries/${d}`)).json(), device);
    assert.equal(changed.lives_alone, false);
    assert.deepEqual(await page.evaluate(() => window.__i18nMissing ?? []), []);
    assert.doesNotMatch(await section.textContent(), /\b(birth_year|lives_alone|true|false|null|Save)\b/);
    await context.close();
  });
});
