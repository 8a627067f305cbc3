/*
 * service/directory_demo.c - demo partners for the public directory.
 *
 * Four organisations, each with a subscription active for the next ten months (Gold,
 * Silver, Action Pack), a published profile in French and English and, for the first,
 * referrals at each stage of their life, so `make run` shows the directory, a partner's
 * page and a referrals list at once.
 */
#include "service/directory_demo.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/words.h"
#include "store/directory.h"
#include "store/referrals.h"
#include "store/subscriptions.h"
#include "store/users.h"

struct demo_partner {
    const char *name, *city, *offer, *fr, *en, *industries, *services, *countries, *languages,
        *size, *email;
};

static const struct demo_partner partners[] = {
    {"Northwind Données", "Lyon", "gold-competency",
     "Conseil en données et en intelligence artificielle, migration vers le cloud et sécurité "
     "des systèmes d'information.",
     "Data and AI consulting, cloud migration and information system security.",
     "finance,healthcare", "data-ai,cloud-migration,security", "FR,BE,CH", "fr,en", "50-249",
     "leads@northwind.example"},
    {"Fabrikam Réseaux", "Lille", "silver-competency",
     "Réseaux, postes de travail et travail moderne pour les collectivités et l'éducation.",
     "Networks, workplaces and modern work for local government and education.",
     "public-sector,education", "modern-work,managed-services", "FR,BE", "fr", "10-49",
     "contact@fabrikam.example"},
    {"Tailspin Sécurité", "Nantes", "gold-competency",
     "Sécurité, audits et services managés pour la santé et l'industrie.",
     "Security, audits and managed services for healthcare and manufacturing.",
     "healthcare,manufacturing", "security,managed-services", "FR", "fr,en", "250-999",
     "soc@tailspin.example"},
    {"Litware Applications", "Montréal", "action-pack",
     "Applications métier et intégration pour le commerce.",
     "Business applications and integration for retail.", "retail", "business-apps", "CA,FR",
     "fr,en", "1-9", "bonjour@litware.example"},
};

/* The referrals of the first partner: name, company, need, status. */
static const char *const referrals[][4] = {
    {"Élodie Garnier", "Boulangeries Garnier",
     "Migrer notre messagerie et nos fichiers vers le cloud.", "new"},
    {"Marc Petit", "Transports Petit", "Un tableau de bord de nos livraisons.", "accepted"},
    {"Inès Haddad", "Clinique du Parc", "Audit de sécurité avant certification.", "won"},
    {"Paul Renaud", "Mairie de Vénissieux", "Formation des agents.", "declined"},
};

int directory_demo_load(struct db *db, char *first_partner, size_t n)
{
    int64_t now = clock_now();
    struct date today = clock_today();
    char starts[DATE_STRLEN], expires[DATE_STRLEN];
    date_format(date_add_days(today, -60), starts);
    date_format(date_add_months(today, 10), expires);
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < sizeof(partners) / sizeof(partners[0]); i++) {
        const struct demo_partner *d = &partners[i];
        struct partner_row p;
        memset(&p, 0, sizeof(p));
        snprintf(p.legal_name, sizeof(p.legal_name), "%s SAS", d->name);
        snprintf(p.country, sizeof(p.country), "%s", strcmp(d->city, "Montréal") ? "FR" : "CA");
        snprintf(p.address_line1, sizeof(p.address_line1), "1 place de la République");
        snprintf(p.postal_code, sizeof(p.postal_code), "69001");
        snprintf(p.city, sizeof(p.city), "%s", d->city);
        snprintf(p.locale, sizeof(p.locale), "fr");
        snprintf(p.currency, sizeof(p.currency), "%s", strcmp(d->city, "Montréal") ? "EUR" : "USD");
        p.created_at = now;
        id_new("ptn", p.id, sizeof(p.id));
        snprintf(p.membership_id, sizeof(p.membership_id), "%ld", random_between(1000000, 9999999));
        if ((rc = partners_insert(db, &p)) < 0)
            break;
        struct sub_row s;
        memset(&s, 0, sizeof(s));
        id_new("sub", s.id, sizeof(s.id));
        snprintf(s.partner_id, sizeof(s.partner_id), "%s", p.id);
        snprintf(s.offer_code, sizeof(s.offer_code), "%s", d->offer);
        snprintf(s.managed_in, sizeof(s.managed_in), "partner_center");
        s.paid = true;
        s.auto_renew = true;
        snprintf(s.starts_on, sizeof(s.starts_on), "%s", starts);
        snprintf(s.expires_on, sizeof(s.expires_on), "%s", expires);
        if ((rc = subs_insert(db, &s, now)) < 0 ||
            (rc = subs_add_term(db, s.id, 1, starts, expires, "import", false, now)) < 0)
            break;
        char slug[80], folded[48], sort_name[201], hex[7];
        words_fold(d->name, '-', folded, sizeof(folded));
        random_hex(3, hex);
        snprintf(slug, sizeof(slug), "%s-%s", folded, hex);
        words_fold(d->name, 0, sort_name, sizeof(sort_name));
        char website[80];
        snprintf(website, sizeof(website), "https://www.%s", strchr(d->email, '@') + 1);
        struct profile_row prof = {.partner_id = p.id,
                                   .slug = slug,
                                   .sort_name = sort_name,
                                   .name = d->name,
                                   .description_fr = d->fr,
                                   .description_en = d->en,
                                   .website = website,
                                   .industries = d->industries,
                                   .services = d->services,
                                   .countries = d->countries,
                                   .languages = d->languages,
                                   .company_size = d->size,
                                   .referral_email = d->email};
        if ((rc = profiles_save(db, &prof, NULL, now)) < 0 ||
            (rc = listings_publish(db, &prof, now)) < 0)
            break;
        if (i == 0)
            snprintf(first_partner, n, "%s", p.id);
        for (size_t k = 0; i == 0 && rc >= 0 && k < sizeof(referrals) / sizeof(referrals[0]); k++) {
            char id[32], erase[65], email[80];
            id_new("ref", id, sizeof(id));
            random_hex(32, erase);
            snprintf(email, sizeof(email), "client%zu@demo.example", k + 1);
            struct referral_row r = {.id = id,
                                     .partner_id = p.id,
                                     .name = referrals[k][0],
                                     .company = referrals[k][1],
                                     .email = email,
                                     .country = "FR",
                                     .need = referrals[k][2],
                                     .consent = true,
                                     .lang = "fr",
                                     .confirm_by = now,
                                     .erase_token = erase,
                                     .created_at = now - (int64_t)k * 86400,
                                     .updated_at = now};
            const char *status = referrals[k][3];
            rc = referrals_insert(db, &r);
            if (rc >= 0)
                rc = referrals_confirm(db, id, now + (int64_t)7 * 86400, now);
            if (rc >= 0 && strcmp(status, "new") != 0)
                rc = referrals_move(
                    db, id, "new", !strcmp(status, "declined") ? "declined" : "accepted",
                    !strcmp(status, "declined") ? "Hors de notre zone d'intervention." : NULL, now);
            if (rc >= 0 && !strcmp(status, "won"))
                rc = referrals_move(db, id, "accepted", "won", NULL, now);
        }
    }
    return rc < 0 ? rc : 0;
}
