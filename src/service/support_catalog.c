/*
 * service/support_catalog.c - the categories and problem types of support requests.
 *
 * A data table of codes; their words are messages of core/messages.def, so adding a
 * language adds a column there and nothing here.
 */
#include "service/support_catalog.h"

#include <string.h>

#include "core/msg.h"

#define PROBLEMS_MAX 4

struct label {
    const char *code;
    enum msg_id text;
};

struct category {
    struct label name;
    struct label problems[PROBLEMS_MAX]; /* ends at the first without a code */
    bool consumes_incident;              /* a request uses a support incident (issue 18) */
};

static const struct category categories[] = {
    {{SUPPORT_CANCEL_CATEGORY, MSG_SUPPORT_CATEGORY_PARTNER_CENTER_ISSUE},
     {{SUPPORT_CANCEL_PROBLEM, MSG_SUPPORT_PROBLEM_INVOICE_PAYMENT_RECONCILIATION},
      {"account_access", MSG_SUPPORT_PROBLEM_ACCOUNT_ACCESS},
      {"membership_offers", MSG_SUPPORT_PROBLEM_MEMBERSHIP_OFFERS}},
     false},
    {{"benefits", MSG_SUPPORT_CATEGORY_BENEFITS},
     {{"software_licences", MSG_SUPPORT_PROBLEM_SOFTWARE_LICENCES},
      {"cloud_credits", MSG_SUPPORT_PROBLEM_CLOUD_CREDITS},
      {"training", MSG_SUPPORT_PROBLEM_TRAINING}},
     false},
    {{"competencies", MSG_SUPPORT_CATEGORY_COMPETENCIES},
     {{"prerequisites", MSG_SUPPORT_PROBLEM_PREREQUISITES},
      {"renewal", MSG_SUPPORT_PROBLEM_RENEWAL}},
     false},
    /* benefits (issue 18): technical support uses one of the membership's incidents */
    {{"technical", MSG_SUPPORT_CATEGORY_TECHNICAL},
     {{"product_defect", MSG_SUPPORT_PROBLEM_PRODUCT_DEFECT},
      {"installation", MSG_SUPPORT_PROBLEM_INSTALLATION}},
     true},
};

#define CATEGORIES (sizeof(categories) / sizeof(categories[0]))

static const struct category *find_category(const char *code)
{
    for (size_t i = 0; code && i < CATEGORIES; i++)
        if (!strcmp(categories[i].name.code, code))
            return &categories[i];
    return NULL;
}

bool support_catalog_has_category(const char *category)
{
    return find_category(category) != NULL;
}

bool support_catalog_consumes_incident(const char *category)
{
    const struct category *c = find_category(category);
    return c && c->consumes_incident;
}

bool support_catalog_has_problem(const char *category, const char *problem_type)
{
    const struct category *c = find_category(category);
    for (size_t i = 0; c && problem_type && i < PROBLEMS_MAX && c->problems[i].code; i++)
        if (!strcmp(c->problems[i].code, problem_type))
            return true;
    return false;
}

/* {"code","label","labels":{"fr","en"}} of a label. */
static json_t *label_view(const struct label *l, const char *lang)
{
    return json_pack("{s:s, s:s, s:{s:s, s:s}}", "code", l->code, "label", msg_text(l->text, lang),
                     "labels", "fr", msg_text(l->text, "fr"), "en", msg_text(l->text, "en"));
}

json_t *support_catalog_json(const char *lang)
{
    json_t *items = json_array();
    for (size_t i = 0; i < CATEGORIES; i++) {
        json_t *problems = json_array();
        for (size_t j = 0; j < PROBLEMS_MAX && categories[i].problems[j].code; j++)
            json_array_append_new(problems, label_view(&categories[i].problems[j], lang));
        json_t *c = label_view(&categories[i].name, lang);
        json_object_set_new(c, "problem_types", problems);
        json_object_set_new(c, "consumes_incident", json_boolean(categories[i].consumes_incident));
        json_array_append_new(items, c);
    }
    return items;
}
