/* jobs/egress.c - the socket libcurl opens is opened here, once its address passed. */
#include "jobs/egress.h"

#include <sys/socket.h>

#include "core/netaddr.h"

static curl_socket_t open_checked(void *clientp, curlsocktype purpose,
                                  struct curl_sockaddr *address)
{
    struct egress *e = clientp;
    struct netaddr a;
    (void)purpose;
    if (!netaddr_from_sockaddr(&address->addr, &a) ||
        (!e->allow_private && !netaddr_is_public(&a))) {
        e->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

void egress_restrict(CURL *curl, struct egress *e)
{
    e->refused = false;
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, e);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
}
