/*
 * jobs/vies.c - the transport of VIES checks.
 *
 * service/vies.c says whom to ask, what to send and how to read the answer; this file
 * POSTs the request to vies.url with libcurl on the jobs thread, with a short timeout
 * (vies.timeout_seconds), no redirects and http or https only. A pass asks at most BATCH
 * numbers, one after the other, so a slow VIES delays the next jobs by BATCH timeouts at
 * worst; whatever is left waits for the next pass.
 */
#include "jobs/vies.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "log.h"
#include "service/settings.h"
#include "service/vies.h"

#define BATCH 20
#define ANSWER_MAX 65536 /* VIES answers in a few hundred bytes */

static size_t keep(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg;
    size_t n = size * nmemb;
    if (b->len + n > ANSWER_MAX)
        return 0; /* stops the transfer */
    buf_append(b, ptr, n);
    return n;
}

/* POSTs body to url; the HTTP status (0: none) and the answer in *answer. */
static long post(const char *url, const char *body, long timeout_s, struct buf *answer, char *error,
                 size_t n)
{
    long status = 0;
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return 0;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout_s);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "partnerd-vies/1");
    CURLcode res = curl_easy_perform(curl);
    if (res == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(error, n, "%s", res == CURLE_OPERATION_TIMEDOUT ? "TIMEOUT" : "NO_ANSWER");
    curl_easy_cleanup(curl);
    curl_slist_free_all(h);
    return status;
}

int vies_check_run(struct db *db)
{
    struct settings s;
    int rc = settings_load(db, &s);
    if (rc < 0)
        return rc;
    if (!s.vies_enabled)
        return 0;
    struct vat_check_row *rows = NULL;
    int n = 0, asked = 0;
    if ((rc = vies_due(db, BATCH, &rows, &n)) < 0)
        return rc;
    for (int i = 0; i < n && rc >= 0; i++) {
        char body[256], error[64] = "";
        struct vies_answer a;
        struct buf answer = {0};
        if (!vies_request_body(rows[i].vat_id, s.seller_vat_id, body, sizeof(body)))
            continue;
        long status =
            post(s.vies_url, body, (long)s.vies_timeout_seconds, &answer, error, sizeof(error));
        vies_parse(status, answer.data, answer.len, &a);
        if (status == 0 && error[0])
            snprintf(a.error, sizeof(a.error), "%s", error);
        buf_free(&answer);
        char esc[3 * sizeof(a.error)]; /* VIES's own words: a newline would forge a line */
        log_line(a.verdict == VIES_UNAVAILABLE ? LOG_WARN : LOG_INFO, NULL, "vies",
                 "partner=%s verdict=%s error=%s", rows[i].partner_id,
                 a.verdict == VIES_VALID     ? "valid"
                 : a.verdict == VIES_INVALID ? "invalid"
                                             : "unverified",
                 log_escape(a.error[0] ? a.error : "-", esc, sizeof(esc)));
        rc = vies_record(db, &rows[i], &a);
        asked++;
    }
    free(rows);
    return rc < 0 ? rc : asked;
}
