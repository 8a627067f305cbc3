/*
 * service/card.h - paying an order by card.
 *
 * The gateway is called between two short transactions, never inside one. Step 1
 * (card_attempt) commits an attempt row with its idempotency key and moves the order to
 * processing; step 2 charges with that key; step 3 settles the outcome in one
 * transaction: confirmed with its new term and invoice, failed, or payment_unknown when
 * the gateway did not answer. A crash or a timeout leaves an attempt that the next Buy or
 * the recovery job looks up (card_recover) instead of charging twice.
 *
 * The gateway may answer that the cardholder must authenticate first (3-D Secure): the
 * attempt stays pending with the challenge's URL, and the order processing (shown as
 * requires_action) until the partner's return (a Buy again), the gateway's signed event or
 * the recovery job looks the charge up and settles it, once, whichever comes first. A
 * challenge left too long is cancelled at the gateway (no charge) and the order fails.
 *
 * An automatic renewal's charge is off session (its key "auto:..."). When the bank still asks
 * to authenticate it, the order waits for the partner until the try's deadline (the next
 * try's day, or the end of the window) rather than half an hour, and the partner is emailed a
 * link to /paiement/<order>, where a Buy hands the job's attempt over (card_hand_over) and
 * charges the saved card on session with a key of its own, through the bank's challenge.
 */
#ifndef PD_SERVICE_CARD_H
#define PD_SERVICE_CARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "gateway/gateway.h"
#include "service/principal.h"
#include "service/settings.h"
#include "service/validate.h"
#include "store/orders.h"

struct db;

/* Card data never reaches partnerd's API: PD_E_CARD_DATA_REFUSED, naming the field (never
 * its value), when body carries a card object, a card number or a security code anywhere
 * (a key such as "card", "number" or "cvc", or a text holding what passes for a card
 * number); else 0. */
int card_data_refuse(const json_t *body, struct pd_error *err);

/* Step 1 of a Buy by card, in the caller's transaction with the order *o locked. With
 * lost_first, returns 1 and writes nothing when earlier attempts lost their answer: they
 * are to be looked up first (card_recover). Without, an attempt still lost after that
 * lookup (the gateway has not seen it) is sent again with its own key (into key, n bytes):
 * the gateway charges one key once. Otherwise the order must still be payable (review,
 * failed or payment_unknown), short of its most attempts (else PD_E_PAYMENT_ATTEMPTS,
 * details.max_attempts) and eligible; a new attempt, numbered after the highest, is inserted
 * with its key and the order moves to processing. */
int card_attempt(struct db *db, const struct settings *set, const struct principal *who,
                 const char *ip, struct order_row *o, bool lost_first, char *key, size_t n,
                 struct pd_error *err);

/* Steps 2 and 3 of a Buy by card, outside any transaction: card_charge(), and an outcome
 * other than success as its error (PD_E_PAYMENT_DECLINED, PD_E_INSUFFICIENT_FUNDS,
 * PD_E_PAYMENT_UNKNOWN). *o is the order as settled. */
int card_pay(struct db *db, const struct settings *set, struct order_row *o, const char *key,
             struct pd_error *err);

/* Charges the order's card with key (an attempt row already committed) and settles the
 * outcome in one transaction: confirmed with its new term, invoice and event, or failed
 * with its event. Never charges twice for one key. *o is the order as settled. set: the
 * settings the use case loaded, or NULL to load them (service/renewals.c). */
int card_charge(struct db *db, const struct settings *set, struct order_row *o, const char *key,
                enum gw_outcome *outcome);

/* Step 2 alone, outside any transaction: charges the order's card with key (an attempt row
 * already committed); the gateway's answer into *g (GW_UNKNOWN when it could not be asked). */
void card_send(struct db *db, const struct settings *set, const struct order_row *o,
               const char *key, struct gw_result *g);

/* A charge sent (card_send_many) and not yet settled: the order as claimed, its key, the answer. */
struct card_sent {
    struct order_row order;
    char key[96];
    struct gw_result g;
};

/* The most charges card_send_many() sends at once (gateway.charges_at_once's bound). */
#define CARD_SENDS_MAX 32

/* Step 2 for n charges (attempt rows already committed), outside any transaction: sent to
 * the gateway on up to at_once threads, the answers into sent[i].g. A gateway is a network
 * away, and a pass of many renewals would otherwise wait for each answer in turn. At most
 * at_once charges are on the wire at a time in the whole process, however many callers send
 * at once (the parts of a renewal pass, each on its jobs connection, pass the same at_once);
 * 1: one after another. The requests are made on the caller's connection first: the
 * threads use no database. */
void card_send_many(struct db *db, const struct settings *set, struct card_sent *sent, int n,
                    int at_once);

/* Step 3 for n charges sent: their outcomes settled together in one transaction, each as
 * card_charge() would settle it; should that transaction fail, each is settled again in
 * its own. The automatic renewal's batches (service/renewals.c). Returns how many
 * succeeded at the gateway. */
int card_settle_sent(struct db *db, const struct settings *set, struct card_sent *sent, int n);

/* Looks up the order's attempts whose answer was lost and settles what the gateway says
 * became of them (*settled, when not NULL, is the last outcome settled). An attempt the
 * gateway never saw is given up (failed, and the order failed: the partner may Buy again)
 * once a minute of real time has passed since it was last sent, so no call can still be
 * on its way. A charge cancelled at the gateway while it waited for authentication is
 * recorded for the reason the gateway kept with it (the one partnerd gave when it cancelled
 * it, not the clock when it is read), whoever reads it first: abandoned, the challenge was
 * left past its deadline (the order fails, "authentication_abandoned"); handed over, an
 * automatic renewal's try gave way to the partner paying on session (the order stays
 * processing); any other reason or none (cancelled by hand at the gateway) is a decline
 * ("payment_declined"). 1 when one had in fact succeeded (*o is now confirmed), else 0. */
int card_recover(struct db *db, const struct settings *set, struct order_row *o,
                 enum gw_outcome *settled);

/* 1 when the order waits for the cardholder's challenge (3-D Secure): its URL into url (n
 * bytes) and when it is given up into *expires_at; 2 when an automatic renewal's off-session
 * charge waits for the partner to pay on session: url is the portal's page
 * (/paiement/<order>) and *expires_at the try's deadline; else 0. */
int card_pending_action(struct db *db, const struct order_row *o, char *url, size_t n,
                        int64_t *expires_at);

/* An automatic renewal the bank asked to authenticate, paid by the partner on session (the
 * portal's « Confirmer le paiement »): its off-session attempt still waiting is cancelled at
 * the gateway as handed over (GW_CANCEL_HANDED_OVER), outside any transaction, and then failed with
 * "authentication_required" while the order stays processing, so that a Buy makes the partner's own
 * attempt, on session with a key of its own. 1 when it was handed over; 0 when there was none to
 * hand over (or it had ended otherwise meanwhile, settled as it ended: authenticated, *o confirmed;
 * abandoned by the job, declined, or cancelled by hand at the gateway, *o failed); < 0 on error. */
int card_hand_over(struct db *db, const struct settings *set, struct order_row *o);

#endif
