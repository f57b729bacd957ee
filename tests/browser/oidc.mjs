// Browser end-to-end test of the staff web's OpenID Connect sign-in, run by
// crates/zegel/tests/browser.rs against a real `zegel serve` (on 127.0.0.1)
// and panva's oidc-provider (tests/browser/oidc_provider.mjs, on 127.0.0.2:
// another site, so the browser treats the provider's navigation back to
// zegel as cross-site, as with a real provider).
//
// Playwright (playwright-core) drives Debian's chromium, headless. The
// sign-in page shows the provider's button (axe-core, Dutch and English); a
// sender clicks it, signs in on the provider's own form and lands signed in
// on sent items; an address without an account and an unverified address
// get the page that says why (axe, Dutch and English); the administrator
// comes back to zegel's TOTP step and reaches administration with the code.
//
// Input: the JSON in ZEGEL_BROWSER_INPUT (see browser.rs). Output: one line
// per step, the axe table, then "RESULT: PASS" (exit 0) or the failures
// (exit 1).

import { base32, check, expectHeading, finish, launch, log, scan, steps, submit, totp } from './lib.mjs';

const input = JSON.parse(process.env.ZEGEL_BROWSER_INPUT || '{}');
const providerHost = new URL(input.issuer).hostname;

function url(path) {
  return `${input.base}${path}`;
}

/** A fresh browser context (one person) that reaches zegel and the provider only. */
async function person(browser) {
  const context = await browser.newContext({ locale: 'nl-NL' });
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' || host === providerHost ? route.continue() : route.abort();
  });
  return context;
}

/**
 * From zegel's button through the provider's form back to zegel; waits
 * until zegel's answer has loaded: for a sign-in, the page its answer goes
 * on to (`onward`), else the answer itself.
 */
async function viaProvider(page, login, lang = 'nl', onward = true) {
  await page.goto(url(`/app/login?lang=${lang}`));
  await Promise.all([page.waitForURL((u) => u.host === new URL(input.issuer).host), page.click('#oidc')]);
  check(page.url().startsWith(`${input.issuer}/interaction/`), `${login}: the provider's sign-in form (${page.url()})`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'wat-dan-ook');
  await Promise.all([
    page.waitForURL((u) => u.origin === input.base
      && (onward ? !u.pathname.startsWith('/app/login/oidc') : u.pathname === '/app/login/oidc/callback')),
    page.click('button[type=submit]'),
  ]);
  await page.waitForLoadState('load');
}

async function signInPage(browser) {
  const ctx = await person(browser);
  const page = await ctx.newPage();
  await page.goto(url('/app/login'));
  await expectHeading(page, 'Inloggen voor medewerkers', 'sign-in page');
  const button = page.locator('#oidc');
  check((await button.textContent()) === `Inloggen met ${input.label}`, `the button names the provider (${await button.textContent()})`);
  check((await button.getAttribute('href')) === '/app/login/oidc', 'the button is a plain link');
  await scan(page, 'staff sign-in with OpenID Connect');
  await page.goto(url('/app/login?lang=en'));
  check((await page.locator('#oidc').textContent()) === `Sign in with ${input.label}`, 'the English button');
  await scan(page, 'staff sign-in with OpenID Connect (en)');
  await ctx.close();
}

async function senderFlow(browser) {
  const ctx = await person(browser);
  const page = await ctx.newPage();
  await viaProvider(page, input.senderLogin);
  // The page after the provider goes on by itself, and the session
  // cookie (SameSite=Strict) comes with that step.
  check(new URL(page.url()).pathname === '/app', `the sender lands on sent items (${page.url()})`);
  await expectHeading(page, 'Verzonden beveiligde berichten', 'sent items after OpenID Connect');
  check(((await page.locator('nav').textContent()) || '').includes(input.sender), 'signed in as the sender');
  await scan(page, 'sent items after OpenID Connect');
  // All cookies: ctx.cookies(url) leaves out Secure ones for an http URL.
  const cookies = (await ctx.cookies()).filter((c) => c.domain === '127.0.0.1');
  check(!cookies.some((c) => c.name === 'zegel_oidc'), 'the flow cookie is gone');
  const session = cookies.find((c) => c.name === 'zegel_staff');
  check(session && session.sameSite === 'Strict' && session.httpOnly, 'the session cookie is HttpOnly and SameSite=Strict');
  // Signed in for the next page too.
  await page.goto(url('/app/compose'));
  await expectHeading(page, 'Nieuw beveiligd bericht', 'the session holds');
  await ctx.close();
}

async function refusals(browser) {
  for (const [login, lang, heading, says, name] of [
    [input.unknownLogin, 'nl', 'Inloggen niet gelukt', 'geen actief account', 'OpenID Connect: no account'],
    [input.unverifiedLogin, 'en', 'Sign-in failed', 'not verified', 'OpenID Connect: unverified address (en)'],
  ]) {
    const ctx = await person(browser);
    const page = await ctx.newPage();
    await viaProvider(page, login, lang, false);
    await expectHeading(page, heading, `${login} refused`);
    const text = (await page.locator('main').textContent()) || '';
    check(text.includes(says), `${login}: the page says why (${text.trim().slice(0, 120)})`);
    await scan(page, name);
    await page.goto(url('/app'));
    check(new URL(page.url()).pathname === '/app/login', `${login} is not signed in`);
    await ctx.close();
  }
}

async function adminFlow(browser) {
  const ctx = await person(browser);
  const page = await ctx.newPage();
  await viaProvider(page, input.adminLogin);
  check(new URL(page.url()).pathname === '/app/login/code', `the administrator comes to zegel's TOTP step (${page.url()})`);
  await expectHeading(page, 'Code uit uw authenticator-app', 'TOTP after OpenID Connect');
  await scan(page, 'TOTP after OpenID Connect');
  await page.fill('#code', totp(base32(input.adminSecret)));
  await submit(page, page.locator('main button[type=submit]'));
  await expectHeading(page, 'Verzonden beveiligde berichten', 'administrator signed in');
  await submit(page, page.locator('nav a[href="/app/admin/users"]'));
  await expectHeading(page, 'Gebruikers', 'administration after OpenID Connect and TOTP');
  await ctx.close();
}

const started = Date.now();
const browser = await launch(input.chromium);
try {
  await steps(browser, [
    ['sign-in page', signInPage],
    ['sender', senderFlow],
    ['refused', refusals],
    ['administrator', adminFlow],
  ]);
} finally {
  await browser.close();
}
log('');
finish(started);
