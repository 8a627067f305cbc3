/*
 * jobs/egress.h - where partnerd's outgoing HTTP may go.
 *
 * A webhook URL is chosen by a partner, so it could point partnerd at its own machine or
 * network. egress_restrict() makes an easy handle check every address it is about to
 * connect to, after libcurl's own resolution, against core/netaddr: how the host was
 * spelled (127.1, 0x7f.1, [::ffff:127.0.0.1], a name resolving to 10.0.0.5) does not
 * matter, only the address connected to, and the connection is made to the very address
 * checked. Proxies from the environment are ignored, redirects are not followed, and only
 * http and https are spoken.
 */
#ifndef PD_EGRESS_H
#define PD_EGRESS_H

#include <curl/curl.h>
#include <stdbool.h>

struct egress {
    bool allow_private; /* the operator's webhooks.allow_private: tests, closed networks */
    bool refused;       /* set when an address was refused (the transfer then fails) */
};

/* Restricts curl to public addresses (unless e->allow_private). e must outlive the
 * transfer. */
void egress_restrict(CURL *curl, struct egress *e);

#endif
