/* service/test_gateway.c - the test gateway's hosted fields and challenge, for the browser. */
#include "service/test_gateway.h"

#include <string.h>

#include "gateway/test_gateway.h"
#include "service/validate.h"

bool test_gateway_enabled(void)
{
    return gateway_is_test();
}

/* The card object of body into *card (strings borrowed from body). */
static void card_check(struct checks *c, const json_t *body, struct gw_card *card)
{
    static const char *const top[] = {"card", NULL};
    static const char *const keys[] = {"number", "exp_month", "exp_year", "cvc", "holder", NULL};
    check_known_keys(c, body, "", top);
    json_t *cj = check_object(c, body, "card", "card", true);
    if (cj == NULL)
        return;
    check_known_keys(c, cj, "card.", keys);
    card->number = json_string_value(json_object_get(cj, "number"));
    card->cvc = json_string_value(json_object_get(cj, "cvc"));
    card->holder = json_string_value(json_object_get(cj, "holder"));
    json_t *m = json_object_get(cj, "exp_month"), *y = json_object_get(cj, "exp_year");
    if (card->number == NULL)
        check_fail(c, "card.number", MSG_FIELD_REQUIRED);
    if (card->cvc == NULL)
        check_fail(c, "card.cvc", MSG_FIELD_REQUIRED);
    if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 12)
        check_fail_args(c, "card.exp_month", MSG_FIELD_INTEGER_RANGE,
                        (const char *const[]){"1", "12"}, 2);
    if (!json_is_integer(y) || json_integer_value(y) < 2000 || json_integer_value(y) > 2100)
        check_fail(c, "card.exp_year", MSG_FIELD_YEAR);
    card->exp_month = (int)json_integer_value(m);
    card->exp_year = (int)json_integer_value(y);
}

int test_gateway_tokens_create(const json_t *body, json_t **out, struct pd_error *err)
{
    struct checks c = {0};
    struct gw_card card = {0};
    struct gw_token t;
    if (!gateway_is_test())
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    card_check(&c, body, &card);
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = test_gateway_tokenize(&card, &t, err)) < 0)
        return rc;
    *out = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "id", t.token, "object", "payment_method",
                     "brand", t.brand, "last4", t.last4, "exp_month", t.exp_month, "exp_year",
                     t.exp_year);
    return 0;
}
