/* service/test_gateway.c - the test gateway's hosted fields and challenge, for the browser. */
#include "service/test_gateway.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/money.h"
#include "core/msg.h"
#include "gateway/test_gateway.h"
#include "service/payment_events.h"
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

/* Appends s to b, HTML-escaped. */
static void put_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_append(b, s, 1);
        }
    }
}

int test_gateway_challenge_page(const char *id, const char *lang, char **html, struct pd_error *err)
{
    struct test_challenge ch;
    char amount[48], text[512];
    if (!gateway_is_test())
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    int rc = test_gateway_challenge(id, &ch);
    if (rc < 0)
        return pd_fail(err, PD_E_UNAVAILABLE, "test gateway ledger");
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    const char *tag = msg_lang_tag(msg_lang(lang));
    money_format(ch.amount, ch.currency, tag, amount, sizeof(amount));
    struct buf b = {0};
    buf_puts(&b, "<!doctype html>\n<html lang=\"");
    buf_puts(&b, tag);
    buf_puts(&b, "\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                 "content=\"width=device-width, initial-scale=1\"><title>");
    put_escaped(&b, msg_text(MSG_TG_CHALLENGE_TITLE, tag));
    buf_puts(&b, "</title></head>\n<body>\n<main>\n<h1>");
    put_escaped(&b, msg_text(MSG_TG_CHALLENGE_TITLE, tag));
    buf_puts(&b, "</h1>\n<p>");
    msg_format(text, sizeof(text), MSG_TG_CHALLENGE_TEXT, tag,
               (const char *const[]){amount, ch.brand, ch.last4}, 3);
    put_escaped(&b, text);
    buf_puts(&b, "</p>\n");
    if (strcmp(ch.status, "pending") == 0) {
        buf_puts(&b, "<form method=\"post\">\n<button type=\"submit\" name=\"decision\" "
                     "value=\"pass\">");
        put_escaped(&b, msg_text(MSG_TG_VALIDATE, tag));
        buf_puts(&b, "</button>\n<button type=\"submit\" name=\"decision\" value=\"refuse\">");
        put_escaped(&b, msg_text(MSG_TG_REFUSE, tag));
        buf_puts(&b, "</button>\n</form>\n");
    } else {
        buf_puts(&b, "<p role=\"status\">");
        put_escaped(&b, msg_text(MSG_TG_CHALLENGE_OVER, tag));
        buf_puts(&b, "</p>\n");
    }
    buf_puts(&b, "<p><small>");
    put_escaped(&b, msg_text(MSG_TG_CHALLENGE_NOTE, tag));
    buf_puts(&b, "</small></p>\n</main>\n</body>\n</html>\n");
    *html = b.data; /* the caller frees it */
    return 0;
}

char *test_gateway_back_page(const char *location, const char *lang)
{
    const char *tag = msg_lang_tag(msg_lang(lang));
    struct buf b = {0};
    buf_puts(&b, "<!doctype html>\n<html lang=\"");
    buf_puts(&b, tag);
    buf_puts(&b, "\">\n<head><meta charset=\"utf-8\"><title>");
    put_escaped(&b, msg_text(MSG_TG_CHALLENGE_TITLE, tag));
    buf_puts(&b, "</title></head>\n<body>\n<main>\n<p><a href=\"");
    put_escaped(&b, location);
    buf_puts(&b, "\">");
    put_escaped(&b, msg_text(MSG_TG_BACK, tag));
    buf_puts(&b, "</a></p>\n</main>\n</body>\n</html>\n");
    return b.data;
}

int test_gateway_challenge_answer(struct db *db, const char *id, bool pass, bool hold,
                                  char *location, size_t n, struct pd_error *err)
{
    struct test_challenge ch;
    char *event = NULL, sig[160];
    if (!gateway_is_test())
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    int rc = test_gateway_challenge_decide(id, pass, &ch, &event, sig);
    if (rc < 0)
        return pd_fail(err, PD_E_UNAVAILABLE, "test gateway ledger");
    if (rc == 0 && ch.id[0] == '\0')
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    /* the gateway's callback: the same path as an event received over HTTP */
    if (event && !hold) {
        json_t *ack = NULL;
        struct pd_error e = {0};
        if (payment_events_receive(db, event, strlen(event), sig, &ack, &e) < 0)
            pd_error_clear(&e); /* the partner's return or the job settles it instead */
        json_decref(ack);
    }
    free(event);
    const char *outcome = strcmp(ch.status, "pending") == 0 ? "pending" : ch.status;
    snprintf(location, n, "%s%schallenge=%s", ch.return_url[0] ? ch.return_url : "/",
             strchr(ch.return_url, '?') ? "&" : "?", outcome);
    return 0;
}
