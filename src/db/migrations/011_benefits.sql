-- Benefits (issue 18): what a membership gives, activated and used.
--
-- benefit_rules is the catalog: what each offer grants per term. A term's grants copy the
-- rules as they were when the term began, so an operator's later change never rewrites
-- a granted term. A grant stores facts (quantity, used, dates); its state (available,
-- activated, expired, suspended, revoked) is derived by core/benefit.c on the business
-- date from them and the subscription's state.
CREATE TABLE benefit_rules (
    offer_code TEXT NOT NULL REFERENCES offers (code),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('software_key', 'cloud_subscription', 'support_incident',
                                       'training', 'resource')),
    product TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    deadline_days INTEGER NOT NULL DEFAULT 0 CHECK (deadline_days >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (offer_code, position)
) STRICT;

CREATE TABLE benefit_grants (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    term INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    product TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= quantity),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    activate_by TEXT,                 -- software and cloud: activate on or before
    tenant_domain TEXT,               -- cloud: the customer tenant
    activated_at INTEGER,
    reminded INTEGER NOT NULL DEFAULT 0, -- the last deadline reminder sent: 30, then 7
    revoked_at INTEGER,               -- when the lapse or cancellation was announced
    created_at INTEGER NOT NULL,
    UNIQUE (subscription_id, term, position)
) STRICT;

CREATE INDEX benefit_grants_partner ON benefit_grants (partner_id, kind);

-- A pool of product keys per product. The id is the product code.
CREATE TABLE key_pools (
    id TEXT PRIMARY KEY,
    low_notified INTEGER NOT NULL DEFAULT 0, -- 1 once operators heard it runs low
    created_at INTEGER NOT NULL
) STRICT;

-- A product key, sealed (libsodium secretbox, base64 of nonce and box); fingerprint is a
-- keyed hash of the key, so a key loaded twice is refused without opening any.
CREATE TABLE product_keys (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES key_pools (id),
    seq INTEGER NOT NULL,             -- the order keys were loaded in: given oldest first
    sealed TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    grant_id TEXT REFERENCES benefit_grants (id),
    partner_id TEXT REFERENCES partners (id),
    assigned_at INTEGER,
    loaded_at INTEGER NOT NULL
) STRICT;

CREATE INDEX product_keys_free ON product_keys (pool_id, grant_id, seq);
CREATE INDEX product_keys_partner ON product_keys (partner_id);

-- Activations waiting for keys, one per grant, served first come first served.
CREATE TABLE benefit_queue (
    grant_id TEXT PRIMARY KEY REFERENCES benefit_grants (id),
    pool_id TEXT NOT NULL REFERENCES key_pools (id),
    partner_id TEXT NOT NULL REFERENCES partners (id),
    count INTEGER NOT NULL CHECK (count > 0),
    requested_by TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX benefit_queue_pool ON benefit_queue (pool_id, created_at);

-- A support request that used an incident, until support gives it back.
CREATE TABLE benefit_incidents (
    request_id TEXT PRIMARY KEY REFERENCES support_requests (id),
    grant_id TEXT NOT NULL REFERENCES benefit_grants (id),
    returned_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;

INSERT INTO benefit_rules (offer_code, position, kind, product, name_fr, name_en, quantity, deadline_days, updated_at) VALUES
    ('action-pack', 1, 'software_key', 'windows-server', 'Windows Server 2022 Standard (usage interne)', 'Windows Server 2022 Standard (internal use)', 1, 0, 0),
    ('action-pack', 2, 'software_key', 'office-ltsc', 'Office LTSC Professionnel Plus 2021 (usage interne)', 'Office LTSC Professional Plus 2021 (internal use)', 1, 0, 0),
    ('action-pack', 3, 'cloud_subscription', 'microsoft-365', 'Microsoft 365 Business Premium', 'Microsoft 365 Business Premium', 5, 90, 0),
    ('action-pack', 4, 'support_incident', 'technical-support', 'Incidents de support technique', 'Technical support incidents', 5, 0, 0),
    ('action-pack', 5, 'training', 'cloud-training', 'Formations axées sur le cloud', 'Cloud-focused training', 0, 0, 0),
    ('action-pack', 6, 'resource', 'marketing-kit', 'Campagnes et ressources marketing prêtes à l''emploi', 'Ready-to-use marketing campaigns and resources', 0, 0, 0),
    ('action-pack', 7, 'resource', 'business-planning', 'Informations et outils de planification d''entreprise', 'Business planning information and tools', 0, 0, 0),
    ('silver-competency', 1, 'software_key', 'windows-server', 'Windows Server 2022 Standard (usage interne)', 'Windows Server 2022 Standard (internal use)', 2, 0, 0),
    ('silver-competency', 2, 'software_key', 'office-ltsc', 'Office LTSC Professionnel Plus 2021 (usage interne)', 'Office LTSC Professional Plus 2021 (internal use)', 5, 0, 0),
    ('silver-competency', 3, 'cloud_subscription', 'microsoft-365', 'Microsoft 365 Business Premium', 'Microsoft 365 Business Premium', 25, 90, 0),
    ('silver-competency', 4, 'support_incident', 'technical-support', 'Incidents de support technique', 'Technical support incidents', 20, 0, 0),
    ('silver-competency', 5, 'training', 'certification-paths', 'Parcours de certification et examens', 'Certification paths and exams', 0, 0, 0),
    ('silver-competency', 6, 'resource', 'marketing-kit', 'Badge Silver et ressources marketing', 'Silver badge and marketing resources', 0, 0, 0),
    ('gold-competency', 1, 'software_key', 'windows-server', 'Windows Server 2022 Standard (usage interne)', 'Windows Server 2022 Standard (internal use)', 4, 0, 0),
    ('gold-competency', 2, 'software_key', 'office-ltsc', 'Office LTSC Professionnel Plus 2021 (usage interne)', 'Office LTSC Professional Plus 2021 (internal use)', 10, 0, 0),
    ('gold-competency', 3, 'cloud_subscription', 'microsoft-365', 'Microsoft 365 Business Premium', 'Microsoft 365 Business Premium', 100, 90, 0),
    ('gold-competency', 4, 'support_incident', 'technical-support', 'Incidents de support technique', 'Technical support incidents', 50, 0, 0),
    ('gold-competency', 5, 'training', 'advanced-training', 'Formations avancées et examens illimités', 'Advanced training and unlimited exams', 0, 0, 0),
    ('gold-competency', 6, 'resource', 'marketing-kit', 'Badge Gold, co-marketing et mise en avant', 'Gold badge, co-marketing and featured listing', 0, 0, 0);

INSERT INTO key_pools (id, low_notified, created_at) VALUES ('windows-server', 0, 0), ('office-ltsc', 0, 0);
