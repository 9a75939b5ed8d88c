/* lan.h - the URLs that phones on the same network can open to join: one per interface address, or --public-url. */
#ifndef VERRIJK_LAN_H
#define VERRIJK_LAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ifaddrs;

/* Join URLs kept at most; addresses beyond it are left out (a laptop has a
 * handful, a host with many bridges more than anyone can read). */
#define LAN_URLS_MAX 16

/* Bytes of one URL, NUL included: --public-url is refused beyond it. */
#define LAN_URL_MAX 256

/* Bytes of an interface name, NUL included (IF_NAMESIZE on Linux). */
#define LAN_IFNAME_MAX 16

typedef struct lan_url {
    char url[LAN_URL_MAX];       /* "http://192.168.1.20:8080/" */
    char ifname[LAN_IFNAME_MAX]; /* "wlan0"; empty when not known */
} lan_url;

/* The join URLs of this server, best first. */
typedef struct lan_urls {
    lan_url items[LAN_URLS_MAX];
    size_t n;
    /* The server runs in a container: its addresses are the container's,
     * which phones cannot reach, so none are offered. */
    bool container;
} lan_urls;

/* Checks a --public-url value: http:// or https://, a host, no spaces or
 * control characters, at most LAN_URL_MAX - 1 bytes. Returns 0, or -1 after
 * writing a sentence saying what is wrong into err (err may be NULL). */
int lan_public_url_check(const char *url, char *err, size_t err_len);

/* Fills out with one http://ADDR:PORT/ per address in `ifa` that a phone
 * could reach when the server listens on `host`:
 *  - host "0.0.0.0" or "::" (every address; lws then binds IPv6 too): each up, non-loopback IPv4
 *    address, then each up IPv6 address that is neither loopback nor
 *    link-local (written in brackets);
 *  - any other host: that address alone, unless it is a loopback address
 *    (then none), named after its interface when `ifa` has it.
 * Order is stable whatever order `ifa` lists them in: physical interfaces
 * first, then the bridges and tunnels of containers, VMs and VPNs
 * (docker*, br-*, veth*, virbr*, ...), then link-local IPv4 (169.254/16);
 * within each, IPv4 before IPv6, then by interface name and address. An
 * address listed twice counts once; beyond LAN_URLS_MAX they are dropped.
 * Reads `ifa` only. Returns the number of URLs (also out->n). */
size_t lan_urls_from_ifaddrs(const struct ifaddrs *ifa, const char *host, int port, lan_urls *out);

/* lan_urls_from_ifaddrs over this machine's interfaces (getifaddrs). When
 * getifaddrs fails, out holds only a non-loopback `host` given
 * explicitly. In a container (/.dockerenv or /run/.containerenv exists)
 * it offers none and sets out->container: the container's addresses are
 * not the host's, and the published port is the host's to say
 * (--public-url). Returns the number of URLs. */
size_t lan_urls_collect(const char *host, int port, lan_urls *out);

/* Prints where phones can join, for the start of the server:
 *   Phones can join at: http://192.168.1.20:8080/ (wlan0)
 * one line per URL (or the public URL alone, when given), or a sentence
 * saying why no address can be offered (in a container, listening on
 * loopback only, or no network). */
void lan_print(FILE *out, const lan_urls *urls, const char *public_url, const char *host);

#endif
