// password_reset.test.mjs - "Mot de passe oublié ?" in a real browser, in French: from the
// sign-in page to the emailed link, a password the rules refuse, the new one, signing in
// with it; the link used again says so and offers a new one. Each page is also looked at
// on a phone and audited (journey().shot).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, journey, startServer, operatorClock, join, Client, readMails } from './harness.mjs';

let srv, op, browser;
before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a partner who forgot the password asks for a link, chooses a new one and signs in with it', async () => {
  const org = await join(srv.url);
  const before = new Client(srv.url); // a session open elsewhere, on another device
  assert.equal((await before.signIn(org.email, org.password)).status, 201);

  const j = await journey(browser, srv, 'password-reset', { answers: [422, 410] }); // refused, then used
  const { page } = j;
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(org.email);
  await j.shot('sign-in');
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
  await page.waitForURL('**/mot-de-passe-oublie?email=*');
  await page.getByRole('heading', { name: 'Mot de passe oublié' }).waitFor();
  assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), org.email, 'the address typed comes along');
  await j.shot('ask');
  await page.getByRole('button', { name: 'Envoyer le lien' }).click();
  const sent = page.getByRole('status').filter({ hasText: `Si un compte utilise l'adresse ${org.email}` });
  await sent.waitFor();
  assert.match(await sent.innerText(), /une heure/);
  await j.shot('sent');

  assert.equal((await op.client.call('POST', '/api/v1/admin/jobs/run', {})).status, 200);
  const mail = readMails(srv.mailDir).find((m) => m.to === org.email && /mot de passe/.test(m.subject));
  assert.ok(mail, 'no reset email');
  const link = new URL(mail.text.match(/https?:\/\/\S+\/mot-de-passe\/[0-9a-f]{64}/)[0]);

  await page.goto(link.pathname);
  await page.getByRole('heading', { name: 'Choisir un nouveau mot de passe' }).waitFor();
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('password1234');
  await page.getByLabel('Confirmez le mot de passe').fill('password1234');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await page.getByText('trop courant ou trop facile à deviner').waitFor();
  await j.shot('refused');
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('lanterns over the harbour 7');
  await page.getByLabel('Confirmez le mot de passe').fill('lanterns over the harbour 7');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await page.waitForURL('**/connexion?email=*');
  await page.getByText('Votre mot de passe est changé. Connectez-vous.').waitFor();
  assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), org.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill('lanterns over the harbour 7');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL('**/offres');
  assert.equal((await before.call('GET', '/api/v1/me')).status, 401, 'the session open before has ended');
  assert.equal((await new Client(srv.url).signIn(org.email, org.password)).status, 401, 'the old password no longer works');

  // the link again: used, said plainly, with a way to ask for another
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL('**/connexion');
  await page.goto(link.pathname);
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('another harbour lantern 8');
  await page.getByLabel('Confirmez le mot de passe').fill('another harbour lantern 8');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await page.getByText('Ce lien de réinitialisation a expiré ou a déjà servi').waitFor();
  await page.getByRole('link', { name: 'Demander un nouveau lien' }).waitFor();
  await j.shot('used');
  await j.close();
});
