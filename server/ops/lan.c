/* lan.c - the URLs that phones on the same network can open to join: one per interface address, or --public-url.
 *
 * A facilitator starts the server on a laptop and the page they open says
 * localhost; the phones need the laptop's address on the Wi-Fi instead.
 * This file finds those addresses and orders them so that the first one is
 * the one most likely reachable from a phone. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ops/lan.h"

/* Interface addresses looked at, at most: a bound on the work at start
 * whatever the machine has; the rest are ignored. */
#define LAN_CANDIDATES_MAX 256

/* Ranks: lower comes first. */
enum lan_rank {
    LAN_RANK_PHYSICAL = 0,   /* Wi-Fi, Ethernet: where the phones are */
    LAN_RANK_VIRTUAL = 1,    /* bridges and tunnels of containers, VMs, VPNs */
    LAN_RANK_LINK_LOCAL = 2, /* 169.254/16: no DHCP answered; rarely reachable */
};

/* Interface name prefixes of virtual networks, which phones on the Wi-Fi
 * cannot reach (or can only through a VPN). */
static const char *const lan_virtual_prefixes[] = {
    "docker",  "br-",  "veth",   "virbr", "vmnet", "vboxnet", "lxc",       "lxd", "cni",
    "flannel", "cali", "podman", "tun",   "tap",   "wg",      "tailscale", "zt",  "utun",
};

typedef struct lan_candidate {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network order; 4 bytes used for IPv4 */
    char ifname[LAN_IFNAME_MAX];
    enum lan_rank rank;
} lan_candidate;

/* Characters that may not appear in a URL as typed (RFC 3986 leaves them
 * out), besides spaces and control characters. */
static const char lan_url_forbidden[] = "\"<>\\^`{|}";

int lan_public_url_check(const char *url, char *err, size_t err_len)
{
    const char *host;
    size_t len;
    const char *why = NULL;

    if (!err)
        err_len = 0;
    len = strlen(url);
    if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else
        host = NULL;
    if (!host)
        why = "it must start with http:// or https://";
    else if (len >= LAN_URL_MAX)
        why = "it is too long";
    else if (*host == '\0' || *host == '/' || *host == ':' || *host == '?' || *host == '#')
        why = "it names no host";
    else {
        for (const char *p = url; *p; p++) {
            unsigned char c = (unsigned char)*p;

            if (c <= 0x20 || c == 0x7f) {
                why = "it contains a space or a control character";
                break;
            }
            if (strchr(lan_url_forbidden, c)) {
                why = "it contains a character a URL cannot hold (one of \" < > \\ ^ ` { | })";
                break;
            }
        }
    }
    if (!why)
        return 0;
    if (err_len)
        snprintf(err, err_len,
                 "--public-url wants a URL like https://verrijk.example.org/, "
                 "not \"%.*s\": %s",
                 (int)(len > 80 ? 80 : len), url, why);
    return -1;
}

static bool lan_host_is_every_address(const char *host)
{
    return strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 || strcmp(host, "[::]") == 0;
}

static bool lan_host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (strcasecmp(host, "localhost") == 0)
        return true;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

static enum lan_rank lan_rank_of(int family, const unsigned char *addr, const char *ifname)
{
    if (family == AF_INET && addr[0] == 169 && addr[1] == 254)
        return LAN_RANK_LINK_LOCAL;
    for (size_t i = 0; i < sizeof(lan_virtual_prefixes) / sizeof(lan_virtual_prefixes[0]); i++)
        if (strncmp(ifname, lan_virtual_prefixes[i], strlen(lan_virtual_prefixes[i])) == 0)
            return LAN_RANK_VIRTUAL;
    return LAN_RANK_PHYSICAL;
}

static int lan_candidate_cmp(const void *pa, const void *pb)
{
    const lan_candidate *a = pa, *b = pb;
    int c;

    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->family != b->family)
        return a->family == AF_INET ? -1 : 1;
    c = strcmp(a->ifname, b->ifname);
    if (c)
        return c;
    return memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Reads one interface address into c. Returns false when it is not one a
 * phone could use (down, loopback, link-local IPv6, not IP). */
static bool lan_candidate_from(const struct ifaddrs *i, lan_candidate *c)
{
    memset(c, 0, sizeof(*c));
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
        return false;
    if (i->ifa_addr->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)i->ifa_addr;

        memcpy(c->addr, &s->sin_addr, 4);
        if (c->addr[0] == 127 || c->addr[0] == 0)
            return false;
        c->family = AF_INET;
    } else if (i->ifa_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)i->ifa_addr;

        if (IN6_IS_ADDR_LOOPBACK(&s->sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr) ||
            IN6_IS_ADDR_UNSPECIFIED(&s->sin6_addr) || IN6_IS_ADDR_V4MAPPED(&s->sin6_addr))
            return false;
        memcpy(c->addr, &s->sin6_addr, 16);
        c->family = AF_INET6;
    } else {
        return false;
    }
    snprintf(c->ifname, sizeof(c->ifname), "%s", i->ifa_name ? i->ifa_name : "");
    c->rank = lan_rank_of(c->family, c->addr, c->ifname);
    return true;
}

static void lan_add(lan_urls *out, const char *host_text, bool brackets, int port, const char *ifname)
{
    lan_url *u;

    if (out->n >= LAN_URLS_MAX)
        return;
    u = &out->items[out->n];
    if (snprintf(u->url, sizeof(u->url), brackets ? "http://[%s]:%d/" : "http://%s:%d/", host_text, port) >=
        (int)sizeof(u->url))
        return;
    snprintf(u->ifname, sizeof(u->ifname), "%s", ifname ? ifname : "");
    out->n++;
}

/* The interface that holds the address `host`, or NULL. */
static const char *lan_ifname_of(const struct ifaddrs *ifa, const char *host)
{
    unsigned char want[16];
    int family;

    if (inet_pton(AF_INET, host, want) == 1)
        family = AF_INET;
    else if (inet_pton(AF_INET6, host, want) == 1)
        family = AF_INET6;
    else
        return NULL;
    for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != family)
            continue;
        if (family == AF_INET && memcmp(&((const struct sockaddr_in *)i->ifa_addr)->sin_addr, want, 4) == 0)
            return i->ifa_name;
        if (family == AF_INET6 && memcmp(&((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, want, 16) == 0)
            return i->ifa_name;
    }
    return NULL;
}

size_t lan_urls_from_ifaddrs(const struct ifaddrs *ifa, const char *host, int port, lan_urls *out)
{
    lan_candidate *cands = NULL;
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    if (!lan_host_is_every_address(host)) {
        /* One address was asked for: only it can answer. */
        if (!lan_host_is_loopback(host))
            lan_add(out, host, strchr(host, ':') != NULL, port, lan_ifname_of(ifa, host));
        return out->n;
    }
    cands = calloc(LAN_CANDIDATES_MAX, sizeof(*cands));
    if (!cands)
        return 0;
    for (const struct ifaddrs *i = ifa; i && n < LAN_CANDIDATES_MAX; i = i->ifa_next) {
        bool seen = false;

        if (!lan_candidate_from(i, &cands[n]))
            continue;
        /* The same address can show up twice (aliases): list it once. */
        for (size_t k = 0; k < n && !seen; k++)
            seen = cands[k].family == cands[n].family && memcmp(cands[k].addr, cands[n].addr, 16) == 0;
        if (!seen)
            n++;
    }
    qsort(cands, n, sizeof(*cands), lan_candidate_cmp);
    for (size_t k = 0; k < n && out->n < LAN_URLS_MAX; k++) {
        char text[INET6_ADDRSTRLEN];

        if (!inet_ntop(cands[k].family, cands[k].addr, text, sizeof(text)))
            continue;
        lan_add(out, text, cands[k].family == AF_INET6, port, cands[k].ifname);
    }
    free(cands);
    return out->n;
}

/* Files that container runtimes put in every container (Docker, Podman). */
static const char *const lan_container_marks[] = {"/.dockerenv", "/run/.containerenv"};

size_t lan_urls_collect(const char *host, int port, lan_urls *out)
{
    struct ifaddrs *ifa = NULL;
    size_t n;

    for (size_t i = 0; i < sizeof(lan_container_marks) / sizeof(lan_container_marks[0]); i++) {
        if (access(lan_container_marks[i], F_OK) == 0) {
            memset(out, 0, sizeof(*out));
            out->container = true;
            return 0;
        }
    }
    if (getifaddrs(&ifa))
        ifa = NULL;
    n = lan_urls_from_ifaddrs(ifa, host, port, out);
    if (ifa)
        freeifaddrs(ifa);
    return n;
}

void lan_print(FILE *out, const lan_urls *urls, const char *public_url, const char *host)
{
    if (public_url && *public_url) {
        fprintf(out, "Phones can join at: %s (--public-url)\n", public_url);
        return;
    }
    if (urls->n == 0 && lan_host_is_loopback(host)) {
        fprintf(out, "Listening on %s only: phones cannot reach it; start with --host 0.0.0.0 to let them join\n",
                host);
        return;
    }
    if (urls->container) {
        fprintf(out, "In a container: open the page at the host's address (or start with --public-url "
                     "http://HOST-ADDRESS:PORT/) so that the join screens show where phones can reach it\n");
        return;
    }
    if (urls->n == 0) {
        fprintf(out, "No network address found for phones to join: connect to a network (Wi-Fi) "
                     "and restart, or give --public-url\n");
        return;
    }
    for (size_t i = 0; i < urls->n; i++) {
        if (urls->items[i].ifname[0])
            fprintf(out, "Phones can join at: %s (%s)\n", urls->items[i].url, urls->items[i].ifname);
        else
            fprintf(out, "Phones can join at: %s\n", urls->items[i].url);
    }
}
