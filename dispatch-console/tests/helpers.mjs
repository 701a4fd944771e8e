// Shared set-up of the browser tests: the running service (started by scripts/console-test),
// Chromium through playwright-core, and typed helpers to log in and post work the way the
// alarm receiver and the telephony webhook do.

import { chromium } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through scripts/console-test`);
  return v;
}

export const base = env('CONSOLE_BASE_URL');
export const users = {
  a: { username: env('CONSOLE_USER_A'), password: env('CONSOLE_PASS_A') },
  b: { username: env('CONSOLE_USER_B'), password: env('CONSOLE_PASS_B') },
  driver: { username: env('CONSOLE_USER_DRIVER'), password: env('CONSOLE_PASS_DRIVER') },
};
export const screenshots = process.env.CONSOLE_SCREENSHOTS;
if (screenshots) mkdirSync(screenshots, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CONSOLE_CHROMIUM ?? '/usr/bin/chromium',
    // A dispatcher's browser in Timișoara speaks Romanian: the native time and date inputs then
    // show 14:30 and 08.12.2026, not 02:30 PM and 12/08/2026. Chromium on Linux takes that from
    // LANGUAGE (with Debian's chromium-l10n installed; without it, the inputs stay English).
    env: { ...process.env, LANGUAGE: 'ro' },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The alarm tone must be able to start without a click in the test, as it does after
      // the login click in real use.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A fresh browser context (its own cookies and localStorage) with a logged-in page. */
export async function loggedIn(browser, user, { lang = 'ro' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ro-RO', timezoneId: 'Europe/Bucharest' });
  await context.addInitScript((l) => {
    if (!sessionStorage.getItem('lang-set')) {
      localStorage.setItem('dispecer.lang', l);
      sessionStorage.setItem('lang-set', '1');
    }
  }, lang);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(`${base}/`);
  await page.fill('input[name=username]', user.username);
  await page.fill('input[name=password]', user.password);
  await page.click('form.login button[type=submit]');
  return { context, page };
}

/** Waits until the console's websocket has delivered its snapshot. */
export async function consoleReady(page) {
  await page.waitForSelector('.link-status.link-open', { timeout: 10_000 });
  await page.waitForSelector('section.queue tbody tr', { timeout: 10_000 });
}

async function post(path, token, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Posts a TeleAsistență alarm as the receiver does; returns the created item. */
export async function postAlert(alarmType) {
  const out = await post('/api/v1/alerts', env('CONSOLE_RECEIVER_TOKEN'), {
    device_id: `TA-${randomUUID().slice(0, 8)}`,
    alarm_type: alarmType,
    device_time: new Date().toISOString(),
    alarm_id: randomUUID(),
  });
  return out.item ?? out;
}

/** Posts a call card as the telephony webhook does; returns the created item. */
export async function postCall(card) {
  const out = await post('/api/v1/calls', env('CONSOLE_TELEPHONY_TOKEN'), card, { 'idempotency-key': randomUUID() });
  return out.item ?? out;
}

/** A request to the service as the page's logged-in user (its session cookie). */
export async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

export function row(page, id) {
  return page.locator(`section.queue tr[data-item-id="${id}"]`);
}
