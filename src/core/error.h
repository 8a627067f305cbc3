/*
 * error.h - the one table of error codes: status code, HTTP status, fr and en messages.
 *
 * Functions return 0 or a negative enum pd_status. When the caller needs to know more
 * (which field, which date), a struct pd_error carries the code and its details; the API
 * layer turns it into {"error":{"code","message","details"}} (SPEC section 9).
 */
#ifndef PD_ERROR_H
#define PD_ERROR_H

#include <jansson.h>
#include <stdbool.h>

#include "core/msg.h"

/* Every failure partnerd can report. Values are negative; 0 is success. */
enum pd_status {
    PD_OK = 0,
    PD_E_INTERNAL = -1,
    PD_E_INVALID_JSON = -2,
    PD_E_INVALID_REQUEST = -3,
    PD_E_NOT_FOUND = -4,
    PD_E_METHOD_NOT_ALLOWED = -5,
    PD_E_PAYLOAD_TOO_LARGE = -6,
    PD_E_UNSUPPORTED_MEDIA_TYPE = -7,
    PD_E_UNAUTHENTICATED = -8,
    PD_E_FORBIDDEN = -9,
    PD_E_CONFLICT = -10,
    PD_E_DB = -11,
    PD_E_DB_BUSY = -12,
    PD_E_DB_CONSTRAINT = -13,
    PD_E_SCHEMA_TOO_NEW = -14,
    PD_E_UNAVAILABLE = -15,
    PD_E_IDEMPOTENCY_KEY_REUSED = -16,
    PD_E_OVERFLOW = -17,
    PD_E_UNKNOWN_CURRENCY = -18,
    PD_E_INVALID_QUERY = -19,
    PD_E_INVALID_CREDENTIALS = -20,
    PD_E_SECOND_FACTOR_REQUIRED = -21,
    PD_E_INVALID_SECOND_FACTOR = -22,
    PD_E_TOO_MANY_ATTEMPTS = -23,
    PD_E_CSRF = -24,
    PD_E_EMAIL_TAKEN = -25,
    PD_E_LAST_GLOBAL_ADMIN = -26,
    PD_E_INVITATION_INVALID = -27,
    PD_E_SESSION_EXPIRED = -28,
    PD_E_ENROLMENT_REQUIRED = -29,
    PD_E_SECOND_FACTOR_MANDATORY = -30,
    PD_E_AUTO_RENEW_LOCKED = -31,
    PD_E_MANAGED_IN_PMC = -32,
    PD_E_SUBSCRIPTION_CANCELLED = -33,
    PD_E_CERTIFIED_PERSON_TAKEN = -34,
    PD_E_RENEWAL_NOT_OPEN = -35,
    PD_E_RENEWAL_WINDOW_CLOSED = -36,
    PD_E_PREREQUISITES_NOT_MET = -37,
    PD_E_ALREADY_SUBSCRIBED = -38,
    PD_E_PENDING_PAYMENT = -39,
    PD_E_NOT_MEMBER = -40,
    PD_E_CARD_INVALID = -41,
    PD_E_CARD_EXPIRED = -42,
    PD_E_PAYMENT_DECLINED = -43,
    PD_E_INSUFFICIENT_FUNDS = -44,
    PD_E_PAYMENT_UNKNOWN = -45,
    PD_E_ORDER_STATE = -46,
    PD_E_NO_SAVED_CARD = -47,
    PD_E_PRICE_MISSING = -48,
    PD_E_LENGTH_REQUIRED = -49,
    /* benefits (issue 18) */
    PD_E_NO_SUPPORT_INCIDENT_LEFT = -80,
    PD_E_KEY_POOL_EMPTY = -81,
    PD_E_BENEFIT_NOT_AVAILABLE = -82,
    PD_E_KEYS_SECRET_UNAVAILABLE = -83,
    /* the ecosystem (issue 21) */
    PD_E_STATEMENT_INVALID = -100,
    PD_E_REFUND_NOT_PAYABLE = -101,
    PD_E_STATEMENT_OTHER_ACCOUNT = -102, /* a statement of another account than bank.iban */
    /* Each area of work adds its codes in its own range (a row of the table stays empty
     * until a code takes it): faults and security -50..-59, e-invoices -60..-69, the
     * portal -70..-79, benefits -80..-89, directory and referrals -90..-99, the
     * ecosystem -100..-109, scale -110..-119, card payments -120..-129. */
    /* faults and security (-50..-59) */
    PD_E_SECOND_FACTOR_OFF = -50,        /* turning off a second factor that is not on */
    PD_E_SECOND_FACTOR_ALREADY_ON = -51, /* enrolling a second factor that is on already */
    PD_E_NO_ENROLMENT_IN_PROGRESS = -52, /* confirming an enrolment that was not begun */
    PD_E_PASSWORD_RESET_INVALID = -53,   /* a reset link expired, used or unknown */
    /* e-invoices, Factur-X documents (-65..-69) */
    PD_E_E_INVOICE_UNAVAILABLE = -65, /* a document issued before Factur-X has no XML */
    /* company profile, directory, referrals (-90..-99) */
    PD_E_REFERRAL_STATE = -90,
    PD_E_REFERRAL_LINK_INVALID = -91,
    PD_E_REFERRAL_LIMIT = -92,
    PD_E_PROFILE_INCOMPLETE = -93,
    /* the portal (issue 17) */
    PD_E_TRANSFER_RESOLVED = -70,
    PD_E_TRANSFER_FINAL = -71, /* a transfer that paid its order or was refunded: not reopened */
    /* card payments: tokens, SCA, Stripe (issue 16) */
    PD_E_CARD_DATA_REFUSED = -120, /* a card number or CVC sent to partnerd's API */
    PD_E_PAYMENT_CHALLENGE = -121, /* the cardholder's authentication failed or was abandoned */
    PD_E_EVENT_SIGNATURE = -122,   /* a gateway event whose signature does not hold */
    PD_E_PAYMENT_ATTEMPTS = -123,  /* an order tried by card as often as it may be */
    PD_E__COUNT = 130              /* size of the table, PD_OK included */
};

/* A failure with its details. Owner: the caller that declared it; pd_error_clear() frees. */
struct pd_error {
    enum pd_status code;
    char message[256]; /* optional English detail for logs and operators; may be empty */
    json_t *details;   /* optional object shown to the client; owned */
};

/* True when s is a code of the table (some rows of the table are not taken yet). */
int pd_status_known(enum pd_status s);

/* The stable snake_case code, e.g. "renewal_not_open". */
const char *pd_status_code(enum pd_status s);

/* The HTTP status this code answers with. */
int pd_status_http(enum pd_status s);

/* The user-facing message in "fr" or "en" (anything else gives French). */
const char *pd_status_message(enum pd_status s, const char *lang);

/* True when s is a failure of the database (or of partnerd itself) rather than a rule
 * saying no: a use case that meets one inside a transaction must give the transaction up
 * (on PostgreSQL the transaction is aborted already), never go on as if nothing was due. */
bool pd_status_is_failure(enum pd_status s);

/* Sets code and an optional printf detail message; returns code, for `return pd_fail(...)`. */
int pd_fail(struct pd_error *e, enum pd_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds a key to the details object (takes the reference of value). */
void pd_error_detail(struct pd_error *e, const char *key, json_t *value);

/* A problem with one field, as a message of the catalog and its arguments:
 * {"msg":"FIELD_REQUIRED","args":[...]}; worded in the caller's language only when the
 * error is written (pd_details_localized). A new reference. */
json_t *pd_problem(enum msg_id why, const char *const args[], int nargs);

/* problem told after where it is (another pd_problem, whose wording ends as a prefix does:
 * "entry 3: "), both worded in the reader's language. Takes both references; returns
 * problem. */
json_t *pd_problem_at(json_t *where, json_t *problem);

/* The wording of a pd_problem() in the language of lang ("fr", "en"), after its place if it
 * has one: "entry 3: Amt: 150.005 EUR: at most 2 decimals". out (n bytes, always
 * terminated) is empty when problem is not a catalog reference. Returns out. */
char *pd_problem_text(const json_t *problem, const char *lang, char *out, size_t n);

/* Fails with code and details.fields.<field> = pd_problem(why, arg); arg may be NULL.
 * Returns code, for `return pd_fail_field(...)`. */
int pd_fail_field(struct pd_error *e, enum pd_status code, const char *field, enum msg_id why,
                  const char *arg);

/* A copy of details whose field problems, and "problem" when it is a catalog reference
 * (pd_problem), are worded in lang ("fr", "en"); other values are kept as they are. NULL
 * gives an empty object. A new reference. */
json_t *pd_details_localized(const json_t *details, const char *lang);

/* Frees the details and resets to PD_OK. */
void pd_error_clear(struct pd_error *e);

#endif
