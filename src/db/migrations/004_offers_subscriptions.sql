-- The catalog of membership offers, the people an organisation has certified, and its
-- subscriptions. A subscription stores facts (dates, flags); its state and renewal
-- eligibility are derived from them and the business date (src/core/subscription.c).
CREATE TABLE offers (
    code TEXT PRIMARY KEY,
    term_months INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 36),
    certified_required INTEGER NOT NULL DEFAULT 0 CHECK (certified_required >= 0),
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE offer_texts (
    offer_code TEXT NOT NULL REFERENCES offers (code),
    lang TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (offer_code, lang)
) STRICT;

-- Current prices. An order copies its price, so a change never reaches past orders.
CREATE TABLE offer_prices (
    offer_code TEXT NOT NULL REFERENCES offers (code),
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (offer_code, currency)
) STRICT;

CREATE TABLE offer_benefits (
    offer_code TEXT NOT NULL REFERENCES offers (code),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('software', 'cloud', 'support', 'training', 'marketing')),
    fr TEXT NOT NULL,
    en TEXT NOT NULL,
    PRIMARY KEY (offer_code, position)
) STRICT;

-- A certified person counts for one organisation at a time (the email is unique).
CREATE TABLE certified_people (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    certification TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX certified_people_partner ON certified_people (partner_id);

CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    offer_code TEXT NOT NULL REFERENCES offers (code),
    managed_in TEXT NOT NULL DEFAULT 'partner_center' CHECK (managed_in IN ('partner_center', 'pmc')),
    paid INTEGER NOT NULL DEFAULT 0,
    starts_on TEXT,
    expires_on TEXT,
    auto_renew INTEGER NOT NULL DEFAULT 1,
    auto_renew_locked INTEGER NOT NULL DEFAULT 0,
    cancelled_on TEXT,
    migrated_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((paid = 0) OR (starts_on IS NOT NULL AND expires_on IS NOT NULL))
) STRICT;

CREATE INDEX subscriptions_partner ON subscriptions (partner_id, offer_code);

-- Every term a subscription had, the first one included.
CREATE TABLE subscription_terms (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    term INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('purchase', 'renewal', 'auto_renewal', 'import')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, term)
) STRICT;

INSERT INTO offers (code, term_months, certified_required, position, created_at) VALUES
    ('action-pack', 12, 0, 1, 0),
    ('silver-competency', 12, 2, 2, 0),
    ('gold-competency', 12, 4, 3, 0);

INSERT INTO offer_texts (offer_code, lang, name, description) VALUES
    ('action-pack', 'fr', 'Abonnement au Microsoft Action Pack',
     'Des logiciels, du support et des avantages pour créer et développer votre pratique Microsoft dans un monde axé sur les mobiles et le cloud.'),
    ('action-pack', 'en', 'Microsoft Action Pack subscription',
     'Software, support and benefits to build and grow your Microsoft practice in a mobile-first, cloud-first world.'),
    ('silver-competency', 'fr', 'Compétence Silver',
     'Démontrez votre expertise avec deux personnes certifiées et recevez davantage de licences, de crédits cloud et de support.'),
    ('silver-competency', 'en', 'Silver competency',
     'Show your expertise with two certified people and receive more licences, cloud credits and support.'),
    ('gold-competency', 'fr', 'Compétence Gold',
     'Le plus haut niveau de compétence : quatre personnes certifiées, les avantages les plus étendus.'),
    ('gold-competency', 'en', 'Gold competency',
     'The highest level of competency: four certified people and the widest benefits.');

INSERT INTO offer_prices (offer_code, currency, amount_minor, updated_at) VALUES
    ('action-pack', 'EUR', 49000, 0), ('action-pack', 'USD', 53000, 0), ('action-pack', 'GBP', 42000, 0),
    ('silver-competency', 'EUR', 195000, 0), ('silver-competency', 'USD', 210000, 0), ('silver-competency', 'GBP', 168000, 0),
    ('gold-competency', 'EUR', 595000, 0), ('gold-competency', 'USD', 640000, 0), ('gold-competency', 'GBP', 512000, 0);

INSERT INTO offer_benefits (offer_code, position, kind, fr, en) VALUES
    ('action-pack', 1, 'software', 'Licences de logiciels à usage interne (Windows, Office, serveurs)', 'Internal-use software licences (Windows, Office, servers)'),
    ('action-pack', 2, 'cloud', 'Crédit Azure de 100 € par mois', '€100 of Azure credit a month'),
    ('action-pack', 3, 'support', '5 incidents de support technique', '5 technical support incidents'),
    ('action-pack', 4, 'training', 'Formations axées sur le cloud', 'Cloud-focused training'),
    ('action-pack', 5, 'marketing', 'Campagnes et ressources marketing prêtes à l''emploi', 'Ready-to-use marketing campaigns and resources'),
    ('silver-competency', 1, 'software', 'Licences de logiciels à usage interne pour 25 utilisateurs', 'Internal-use software licences for 25 users'),
    ('silver-competency', 2, 'cloud', 'Crédit Azure de 300 € par mois', '€300 of Azure credit a month'),
    ('silver-competency', 3, 'support', '20 incidents de support technique', '20 technical support incidents'),
    ('silver-competency', 4, 'training', 'Parcours de certification et examens', 'Certification paths and exams'),
    ('silver-competency', 5, 'marketing', 'Badge Silver et visibilité dans l''annuaire des partenaires', 'Silver badge and partner directory listing'),
    ('gold-competency', 1, 'software', 'Licences de logiciels à usage interne pour 100 utilisateurs', 'Internal-use software licences for 100 users'),
    ('gold-competency', 2, 'cloud', 'Crédit Azure de 1 000 € par mois', '€1,000 of Azure credit a month'),
    ('gold-competency', 3, 'support', '50 incidents de support technique et un responsable technique', '50 technical support incidents and a technical account manager'),
    ('gold-competency', 4, 'training', 'Formations avancées et examens illimités', 'Advanced training and unlimited exams'),
    ('gold-competency', 5, 'marketing', 'Badge Gold, co-marketing et mise en avant', 'Gold badge, co-marketing and featured listing');
