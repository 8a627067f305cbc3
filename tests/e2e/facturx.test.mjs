// facturx.test.mjs - invoices and credit notes as Factur-X EN 16931 PDF/A-3 (issue 15).
//
// Representative documents are issued through the API (domestic by card and by wire, EU
// reverse charge, outside the EU in USD and GBP, a full and a partial credit note) and
// checked with Debian's tools, as a buyer's software or an auditor would:
//   the XML against the official XSD (xmllint) and the EN 16931 business rules (the
//   Schematron compiled to XSLT, run once over every document with Saxon-HE): 0 failed
//   assertions; the PDF with qpdf --check, pdfdetach (the attached factur-x.xml is the
//   XML the API serves), pdfinfo -meta (pdfaid and fx metadata); two downloads, the same
//   bytes. The schema and rules are read from ../shared/reference/facturx beside the
//   repository (PARTNERD_FACTURX_REFERENCE overrides).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, Client, join, operatorClock, staffClient, sql, cardPayment } from './harness.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REF = process.env.PARTNERD_FACTURX_REFERENCE || path.resolve(repoRoot, '../shared/reference/facturx');
const XSD = path.join(REF, 'Factur-X_EN16931.xsd');
const XSL = path.join(REF, 'Factur-X_1.09_EN16931.xsl');
const SAXON = '/usr/share/java/Saxon-HE.jar';

// a card, handed to the test gateway by buy(); the API gets its payment method only
const CARD = { method: 'card', card: { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2035, cvc: '737', holder: 'Camille Martin' } };
const WIRE = { method: 'wire', contact: { name: 'Paul Payer', phone: '+33 1 23 45 67 89', email: 'ap@org.example' } };

let srv, op, support, work;
const docs = {}; // name -> { id, number, xml, pdf, text, inv }

before(async () => {
  for (const [file, what] of [[XSD, 'the Factur-X XSD'], [XSL, 'the EN 16931 Schematron (XSLT)']])
    if (!existsSync(file)) throw new Error(`${what} is missing: ${file}. The Factur-X reference directory is expected at ../shared/reference/facturx beside the repository (or set PARTNERD_FACTURX_REFERENCE).`);
  if (!existsSync(SAXON)) throw new Error(`${SAXON} is missing: install libsaxonhe-java and default-jre-headless (deps/debian.txt)`);
  work = mkdtempSync(path.join(tmpdir(), 'partnerd-facturx-'));
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  support = await staffClient(srv, 'support');
  await op.setClock('2027-03-01T09:00:00Z');
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh organisation (join overrides) as a bearer client. */
async function org(overrides) {
  const o = await join(srv.url, overrides);
  const c = new Client(srv.url);
  await c.signIn(o.email, o.password);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  return { org: o, api };
}

async function buy(api, payment) {
  if (payment.card) payment = await cardPayment(api.base, payment.card);
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.status, 200, JSON.stringify(p.body));
  return p.body;
}

async function download(api, id, what) {
  const r = await fetch(`${srv.url}/api/v1/invoices/${id}/${what}`, { headers: { Authorization: `Bearer ${api.bearer}` } });
  return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), bytes: Buffer.from(await r.arrayBuffer()) };
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message} (deps/debian.txt lists the packages)`);
  return r;
}

/** The same, without blocking the event loop (Saxon takes seconds: the HTTP client's idle
 * connections must keep expiring meanwhile, or the next request meets a closed one). */
function runAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args);
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message} (deps/debian.txt lists the packages)`)));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const spaces = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

/** Downloads a document's PDF (twice) and XML, keeps them under name, checks the PDF. */
async function keep(name, api, id) {
  const inv = (await api.call('GET', `/api/v1/invoices/${id}`)).body;
  const pdf = await download(api, id, 'pdf');
  assert.equal(pdf.status, 200);
  const again = await download(api, id, 'pdf');
  assert.ok(pdf.bytes.equals(again.bytes), `${name}: two downloads, the same bytes`);
  const xml = await download(api, id, 'xml');
  assert.equal(xml.status, 200, xml.bytes.toString());
  assert.match(xml.type, /^application\/xml/);
  // named in the document's language, as the portal's French partners read it
  const kind = { fr: { invoice: 'facture', credit_note: 'avoir' }, en: { invoice: 'invoice', credit_note: 'credit-note' } }[inv.lang][inv.type];
  assert.match(xml.disposition, new RegExp(`^attachment; filename="${kind}-${inv.number}\\.xml"$`));
  const file = path.join(work, `${name}.pdf`);
  writeFileSync(file, pdf.bytes);
  const check = run('qpdf', ['--check', file]);
  assert.equal(check.status, 0, `${name}: qpdf --check\n${check.stdout}${check.stderr}`);
  const list = run('pdfdetach', ['-list', file]);
  assert.match(list.stdout, /1 embedded files\n1: factur-x\.xml/, `${name}: pdfdetach -list`);
  const saved = path.join(work, `${name}.detached.xml`);
  assert.equal(run('pdfdetach', ['-save', '1', '-o', saved, file]).status, 0);
  assert.ok(readFileSync(saved).equals(xml.bytes), `${name}: the XML attached to the PDF is the one the API serves`);
  const meta = run('pdfinfo', ['-meta', file]).stdout;
  for (const want of ['<pdfaid:part>3</pdfaid:part>', '<pdfaid:conformance>B</pdfaid:conformance>', '<fx:DocumentType>INVOICE</fx:DocumentType>',
    '<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>', '<fx:Version>1.0</fx:Version>', '<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>',
    '<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>'])
    assert.ok(meta.includes(want), `${name}: the XMP lacks ${want}`);
  const info = run('pdfinfo', [file]).stdout;
  assert.match(info, new RegExp(`CreationDate:.*${new Date(`${inv.issued_on}T00:00:00Z`).getUTCFullYear()}`), `${name}: created on its issue date`);
  const raw = pdf.bytes.toString('latin1');
  for (const want of ['/OutputIntents', '/GTS_PDFA1', '/AFRelationship /Data', '/Subtype /text#2Fxml', '/EmbeddedFiles', '/ModDate', '/ID [<'])
    assert.ok(raw.includes(want), `${name}: the PDF lacks ${want}`);
  assert.ok(raw.includes('/FontFile2') || raw.includes('/FontFile3'), `${name}: fonts embedded`);
  const text = spaces(run('pdftotext', ['-layout', file, '-']).stdout);
  docs[name] = { id, inv, xml: xml.bytes.toString('utf8'), text };
  writeFileSync(path.join(work, 'xml', `${name}.xml`), xml.bytes);
  return docs[name];
}

test('every kind of document is a Factur-X PDF/A-3, frozen, with its XML', async () => {
  mkdirSync(path.join(work, 'xml'));
  // domestic, card; the buyer has a SIREN
  const fr = await org({ locale: 'fr' });
  sql(srv.db.url, `UPDATE partners SET siren = '303265045' WHERE id = '${fr.org.partner.id}'`);
  const a = await buy(fr.api, CARD);
  const dom = await keep('domestic-card-eur', fr.api, a.invoice_id);
  // domestic, wire: credit transfer with IBAN and the RF reference
  const frw = await org({ locale: 'en' });
  const b = await buy(frw.api, WIRE);
  const wire = await keep('domestic-wire-eur', frw.api, b.invoice_id);
  wire.reference = b.payment_instructions.reference;
  // EU reverse charge
  const de = await org({ country: 'DE', vat_id: 'DE136695976', address: { line1: 'Unter den Linden 1', postal_code: '10117', city: 'Berlin' } });
  const rc = await keep('eu-reverse-charge-eur', de.api, (await buy(de.api, CARD)).invoice_id);
  // outside the EU, in USD by card and in GBP by wire
  const us = await org({ country: 'US', vat_id: undefined, locale: 'en', address: { line1: '1 Main Street', postal_code: '10001', city: 'New York' } });
  const usd = await keep('outside-eu-usd', us.api, (await buy(us.api, CARD)).invoice_id);
  const gb = await org({ country: 'GB', vat_id: undefined, locale: 'en', address: { line1: '10 Downing Street', postal_code: 'SW1A 2AA', city: 'London' } });
  const gbOrder = await buy(gb.api, WIRE);
  const gbp = await keep('outside-eu-gbp', gb.api, gbOrder.invoice_id);
  assert.deepEqual([dom.inv.total.currency, usd.inv.total.currency, gbp.inv.total.currency], ['EUR', 'USD', 'GBP']);
  const fr2 = await org({ locale: 'fr' }); // bought now, refunded in part later
  const c2 = await buy(fr2.api, CARD);

  // a full credit note: the GBP wire invoice unpaid at its due date is cancelled
  await op.setClock(new Date(Date.parse(`${gbOrder.payment_instructions.due_on}T00:00:00Z`) + 86400e3 + 9 * 3600e3).toISOString());
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  const gbCredit = (await gb.api.call('GET', '/api/v1/invoices')).body.items.find((i) => i.type === 'credit_note');
  assert.ok(gbCredit, 'the unpaid wire invoice is cancelled by a credit note');
  const full = await keep('credit-note-full-gbp', gb.api, gbCredit.id);

  // a partial credit note: the USD subscription cancelled mid-term with a prorated refund
  await op.setClock('2027-09-01T09:00:00Z');
  const sub = (await us.api.call('GET', '/api/v1/subscriptions')).body.items[0];
  const req = await us.api.call('POST', `/api/v1/subscriptions/${sub.id}/cancellation`, {});
  const res = await support.call('POST', `/api/v1/support-requests/${req.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const usCredit = (await us.api.call('GET', '/api/v1/invoices')).body.items.find((i) => i.type === 'credit_note');
  const partial = await keep('credit-note-partial-usd', us.api, usCredit.id);
  // and one in EUR with VAT, refunded by card
  await op.setClock('2027-10-01T09:00:00Z');
  const req2 = await fr2.api.call('POST', `/api/v1/subscriptions/${c2.subscription_id}/cancellation`, {});
  assert.equal((await support.call('POST', `/api/v1/support-requests/${req2.body.id}/resolution`, { cancellation: 'immediate', refund: true })).status, 200);
  const eurCredit = (await fr2.api.call('GET', '/api/v1/invoices')).body.items.find((i) => i.type === 'credit_note');
  const partialEur = await keep('credit-note-partial-eur', fr2.api, eurCredit.id);

  // what the XML says
  const has = (d, re, what) => assert.match(d.xml, re, `${what}\n${d.xml}`);
  has(dom, /<ram:TypeCode>380<\/ram:TypeCode>/, 'an invoice is type 380');
  has(dom, /<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen\.eu:en16931:2017<\/ram:ID>/, 'EN 16931');
  has(dom, /<ram:SellerTradeParty>.*<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">\d{9}<\/ram:ID>.*<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR/s, 'seller SIREN and VAT ID');
  has(dom, /<ram:BuyerTradeParty>.*<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">303265045<\/ram:ID>/s, 'buyer SIREN');
  // the reform's electronic addresses: by SIREN in the directory (0225), else an email
  const sellerSiren = dom.xml.match(/<ram:SellerTradeParty>.*?schemeID="0002">(\d{9})</s)[1];
  has(dom, new RegExp(`<ram:SellerTradeParty>.*</ram:PostalTradeAddress><ram:URIUniversalCommunication><ram:URIID schemeID="0225">${sellerSiren}</ram:URIID></ram:URIUniversalCommunication><ram:SpecifiedTaxRegistration>.*</ram:SellerTradeParty>`, 's'), 'BT-34: the seller by SIREN');
  has(dom, /<ram:BuyerTradeParty>.*<ram:URIUniversalCommunication><ram:URIID schemeID="0225">303265045<\/ram:URIID><\/ram:URIUniversalCommunication>.*<\/ram:BuyerTradeParty>/s, 'BT-49: a French buyer by SIREN');
  has(rc, new RegExp(`<ram:BuyerTradeParty>.*<ram:URIUniversalCommunication><ram:URIID schemeID="EM">${de.org.email.replace(/[.]/g, '\\.')}</ram:URIID></ram:URIUniversalCommunication><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE136695976<`, 's'), 'BT-49: a foreign buyer by the email of its admin');
  has(dom, /<ram:PostcodeCode>75002<\/ram:PostcodeCode><ram:LineOne>10 rue de la Paix<\/ram:LineOne><ram:CityName>Paris<\/ram:CityName><ram:CountryID>FR<\/ram:CountryID>/, 'the seller address, apart');
  has(dom, /<ram:CategoryCode>S<\/ram:CategoryCode><ram:RateApplicablePercent>20\.00<\/ram:RateApplicablePercent>/, 'S 20 %');
  has(dom, /<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20270301<\/udt:DateTimeString><\/ram:StartDateTime><ram:EndDateTime><udt:DateTimeString format="102">20280229</, 'the service period');
  has(dom, /<ram:TypeCode>48<\/ram:TypeCode>.*<ram:ApplicableTradeSettlementFinancialCard><ram:ID>4242<\/ram:ID>/s, 'card: code 48');
  has(dom, /<ram:GrandTotalAmount>588\.00<\/ram:GrandTotalAmount><ram:TotalPrepaidAmount>588\.00<\/ram:TotalPrepaidAmount><ram:DuePayableAmount>0\.00</, 'paid by card at issue');
  has(dom, /Prestation de services.*<ram:SubjectCode>AAI/s, 'the nature of the operation');
  has(dom, /TVA acquittée sur les encaissements/, 'the VAT option');
  has(wire, new RegExp(`<ram:PaymentReference>${wire.reference}</ram:PaymentReference>`), 'the RF reference as payment reference');
  has(wire, /<ram:TypeCode>58<\/ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630006000011234567890189<\/ram:IBANID>.*<ram:BICID>AGRIFRPPXXX</s, 'credit transfer: code 58, IBAN, BIC');
  has(wire, /<ram:DueDateDateTime><udt:DateTimeString format="102">20270315</, 'the due date');
  has(wire, /<ram:DuePayableAmount>588\.00</, 'due');
  has(rc, /<ram:ExemptionReason>[^<]*Autoliquidation[^<]*<\/ram:ExemptionReason><ram:BasisAmount>490\.00<\/ram:BasisAmount><ram:CategoryCode>AE<\/ram:CategoryCode><ram:ExemptionReasonCode>VATEX-EU-AE</, 'AE with its exemption reason');
  has(rc, /<ram:BuyerTradeParty>.*<ram:ID schemeID="VA">DE136695976</s, 'the buyer VAT ID');
  assert.doesNotMatch(rc.xml, /TVA acquittée/, 'no VAT, no VAT option');
  has(usd, /<ram:InvoiceCurrencyCode>USD<\/ram:InvoiceCurrencyCode>/, 'USD');
  has(usd, /<ram:CategoryCode>G<\/ram:CategoryCode><ram:ExemptionReasonCode>VATEX-EU-G</, 'G, outside the EU');
  has(gbp, /<ram:InvoiceCurrencyCode>GBP</, 'GBP');
  has(gbp, /<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30<\/ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>/, 'pounds are no SEPA transfer: a credit transfer, 30');
  has(gbp, /<ram:PostcodeCode>SW1A 2AA<\/ram:PostcodeCode><ram:LineOne>10 Downing Street<\/ram:LineOne><ram:CityName>London<\/ram:CityName><ram:CountryID>GB</, 'the buyer address, apart');
  has(full, /<ram:TypeCode>381<\/ram:TypeCode>/, 'a credit note is type 381');
  has(full, new RegExp(`<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>${gbp.inv.number}</ram:IssuerAssignedID><ram:FormattedIssueDateTime><qdt:DateTimeString format="102">${gbp.inv.issued_on.replaceAll('-', '')}<`), 'BT-25, BT-26');
  has(full, /<ram:GrandTotalAmount>[1-9][0-9.]*<\/ram:GrandTotalAmount>/, 'credit note amounts are positive');
  has(full, /<ram:SpecifiedLineTradeSettlement>.*<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20270301</s, 'the full period credited');
  assert.doesNotMatch(full.xml, /Avoir partiel|Partial credit/);
  has(partial, /<ram:TypeCode>381<\/ram:TypeCode>/, '381');
  has(partial, /Partial credit on invoice/, 'a partial credit note says so');
  has(partial, /<ram:SpecifiedLineTradeSettlement>.*<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20270901<\/udt:DateTimeString><\/ram:StartDateTime><ram:EndDateTime><udt:DateTimeString format="102">20280229</s, 'the rest of the term is credited');
  has(partialEur, /<ram:CategoryCode>S<\/ram:CategoryCode>/, 'S on the EUR credit note');
  has(partialEur, /Avoir partiel sur la facture n°/, 'Avoir partiel');

  // what the PDF says
  const says = (d, want) => assert.ok(d.text.includes(spaces(want)), `the PDF lacks « ${want} »\n${d.text}`);
  says(dom, `Facture ${dom.inv.number}`);
  says(dom, 'SIREN : 303265045');
  says(dom, "Nature de l'opération : Prestation de services");
  says(dom, 'TVA acquittée sur les encaissements');
  // countries by name, in the reader's language (issue 17), never as a bare code
  const countryLines = (d) => d.text.split('\n').map((l) => l.trim().split(/ {2,}/)).flat().filter((w) => /^(France|Allemagne|Germany|United States|United Kingdom|[A-Z]{2})$/.test(w));
  assert.deepEqual(countryLines(dom), ['France', 'France'], dom.text);
  assert.deepEqual(countryLines(rc), ['France', 'Allemagne'], rc.text);
  assert.deepEqual(countryLines(usd), ['France', 'United States'], usd.text);
  assert.deepEqual(countryLines(gbp), ['France', 'United Kingdom'], gbp.text);
  assert.deepEqual(countryLines(full), ['France', 'United Kingdom'], full.text);
  says(partialEur, `Avoir partiel ${partialEur.inv.number}`);
  says(partialEur, `Avoir partiel sur la facture n° `);
  says(partialEur, 'du 1er octobre 2027');
  says(partialEur, 'au 29 février 2028');
  says(partialEur, eurCredit.total.formatted.replace('-', '\u2212'));
  says(partial, `Partial credit note ${partial.inv.number}`);
  says(partial, `\u2212$${(-usCredit.total.amount_minor / 100).toFixed(2)}`);
  says(full, `Credit note ${full.inv.number}`);
  says(full, `Cancels invoice ${gbp.inv.number} of`);
  assert.doesNotMatch(full.text, /Partial/);
  for (const d of Object.values(docs)) // an amount is never cut over two lines
    for (const cut of [/\$U *$/m, /^ *S *$/m, /[−-] *$/m, /[0-9],[0-9]{2} *$/m])
      assert.doesNotMatch(d.text, cut, d.text);

  // the XML against the XSD, then every document at once through the EN 16931 rules
  const files = Object.keys(docs).map((n) => path.join(work, 'xml', `${n}.xml`));
  const xsd = await runAsync('xmllint', ['--noout', '--schema', XSD, ...files]);
  assert.equal(xsd.status, 0, xsd.stderr);
  assert.equal((xsd.stderr.match(/ validates$/gm) || []).length, files.length, xsd.stderr);
  const out = path.join(work, 'svrl');
  mkdirSync(out);
  const saxon = await runAsync('java', ['-jar', SAXON, `-s:${path.join(work, 'xml')}`, `-xsl:${XSL}`, `-o:${out}`]);
  assert.equal(saxon.status, 0, saxon.stderr);
  for (const name of Object.keys(docs)) {
    const svrl = readFileSync(path.join(out, `${name}.xml`), 'utf8');
    assert.ok(svrl.includes('<svrl:fired-rule'), `${name}: the rules ran`);
    const failed = [...svrl.matchAll(/<svrl:failed-assert[^>]*id="([^"]*)"[\s\S]*?<svrl:text>([\s\S]*?)<\/svrl:text>/g)].map((m) => `${m[1]} ${m[2].trim()}`);
    assert.deepEqual(failed, [], `${name}: failed EN 16931 assertions`);
  }
});

test('the seller VAT option is a checked setting, stated on the invoices issued after', async () => {
  const bad = await op.client.call('PUT', '/api/v1/admin/settings/seller.vat_option', { value: 'sometimes' });
  assert.equal(bad.status, 422);
  assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/seller.siren', { value: '12345' })).status, 422);
  assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/seller.vat_option', { value: 'debits' })).status, 200);
  const fr = await org({ locale: 'fr' });
  const p = await buy(fr.api, CARD);
  const xml = (await download(fr.api, p.invoice_id, 'xml')).bytes.toString();
  assert.match(xml, /<ram:Content>TVA acquittée sur les débits<\/ram:Content><ram:SubjectCode>TXD/);
  await op.client.call('PUT', '/api/v1/admin/settings/seller.vat_option', { value: 'receipts' });
  const again = (await download(fr.api, p.invoice_id, 'xml')).bytes.toString();
  assert.equal(again, xml, 'an issued invoice keeps the option it was issued with');
});

test('a wire invoice in pounds frozen before its payment means was kept still says 58, byte for byte', async () => {
  const gb = await org({ country: 'GB', vat_id: undefined, locale: 'en', address: { line1: '10 Downing Street', postal_code: 'SW1A 2AA', city: 'London' } });
  const p = await buy(gb.api, WIRE);
  const doc = JSON.parse(sql(srv.db.url, `SELECT document FROM invoices WHERE id = '${p.invoice_id}'`));
  assert.equal(doc.payment_instructions.means, '30');
  delete doc.payment_instructions.means;
  sql(srv.db.url, `UPDATE invoices SET document = '${JSON.stringify(doc).replaceAll("'", "''")}' WHERE id = '${p.invoice_id}'`);
  const xml = (await download(gb.api, p.invoice_id, 'xml')).bytes.toString();
  assert.match(xml, /<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58<\/ram:TypeCode>/);
});

test('a document issued before Factur-X keeps its plain PDF and has no XML', async () => {
  const fr = await org({ locale: 'fr' });
  const p = await buy(fr.api, CARD);
  const doc = JSON.parse(sql(srv.db.url, `SELECT document FROM invoices WHERE id = '${p.invoice_id}'`));
  for (const k of ['version', 'vat_option', 'credits_issued_on', 'partial']) delete doc[k];
  for (const party of [doc.seller, doc.buyer]) for (const k of ['siren', 'postal_code', 'city', 'country_name', 'electronic_address']) delete party[k];
  sql(srv.db.url, `UPDATE invoices SET document = '${JSON.stringify(doc).replaceAll("'", "''")}' WHERE id = '${p.invoice_id}'`);
  const pdf = await download(fr.api, p.invoice_id, 'pdf');
  assert.equal(pdf.status, 200);
  assert.ok(pdf.bytes.equals((await download(fr.api, p.invoice_id, 'pdf')).bytes), 'frozen too');
  const raw = pdf.bytes.toString('latin1');
  assert.ok(!raw.includes('/EmbeddedFiles') && !raw.includes('pdfaid'), 'drawn as before: no attachment, no XMP');
  const file = path.join(work, 'plain.pdf');
  writeFileSync(file, pdf.bytes);
  const text = spaces(run('pdftotext', ['-layout', file, '-']).stdout);
  assert.ok(text.includes('Facture') && !text.includes('Nature de l'), text);
  assert.match(text, /^ *FR +FR *$/m, 'its countries as they were drawn: codes');
  const xml = await fr.api.call('GET', `/api/v1/invoices/${p.invoice_id}/xml`);
  assert.equal(xml.status, 404);
  assert.equal(xml.body.error.code, 'e_invoice_unavailable');
  const other = await org({ locale: 'fr' });
  assert.equal((await other.api.call('GET', `/api/v1/invoices/${p.invoice_id}/xml`)).status, 404, "another organisation's XML is not found");
});

test("a foreign buyer's electronic address is its active billing admin's email, before its global admin's", async () => {
  const de = await org({ country: 'DE', vat_id: 'DE136695976', address: { line1: 'Unter den Linden 1', postal_code: '10117', city: 'Berlin' } });
  const email = `billing-${Date.now()}@org.example`;
  const inv = await de.api.call('POST', '/api/v1/users', { email, name: 'Bea Billing', roles: ['billing_admin'] });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const acc = await new Client(srv.url).call('POST', `/api/v1/invitations/${inv.body.invitation.token}/accept`, { password: 'bea password 123' });
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  const bought = await buy(de.api, WIRE);
  const xml = (await download(de.api, bought.invoice_id, 'xml')).bytes.toString();
  // (a buyer with no billing admin is addressed by its global admin's email: the test above)
  assert.equal(xml.match(/<ram:BuyerTradeParty>.*?<ram:URIID schemeID="EM">([^<]*)</s)?.[1], email);
});

test('a name or address with U+FFFE or U+FFFF still gives a well-formed XML, in the PDF too', async () => {
  // both are valid UTF-8 and a join accepts them, but XML 1.0 has no such character
  const odd = await org({ company: 'Acme\uFFFE Conseil\uFFFF SARL', address: { line1: '1 rue\uFFFF de la Paix', postal_code: '75002', city: 'Paris' } });
  const p = await buy(odd.api, CARD);
  const xml = await download(odd.api, p.invoice_id, 'xml');
  assert.equal(xml.status, 200);
  const file = path.join(work, 'nonchar.xml');
  writeFileSync(file, xml.bytes);
  const xsd = run('xmllint', ['--noout', '--schema', XSD, file]);
  assert.equal(xsd.status, 0, xsd.stderr);
  const text = xml.bytes.toString('utf8');
  assert.match(text, /<ram:BuyerTradeParty>.*<ram:Name>Acme Conseil SARL<\/ram:Name>.*<ram:LineOne>1 rue de la Paix<\/ram:LineOne>/s);
  const pdf = path.join(work, 'nonchar.pdf');
  writeFileSync(pdf, (await download(odd.api, p.invoice_id, 'pdf')).bytes);
  const saved = path.join(work, 'nonchar.detached.xml');
  assert.equal(run('pdfdetach', ['-save', '1', '-o', saved, pdf]).status, 0);
  assert.ok(readFileSync(saved).equals(xml.bytes), 'the attached XML is the one served');
});
