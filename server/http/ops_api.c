/* ops_api.c - HTTP routes for operators and the join screens: GET /api/server (version, join URLs) and GET /metrics.
 *
 * Neither answer names a room, a member or a token: the join URLs are the
 * machine's network addresses, which every phone on the Wi-Fi needs
 * anyway, and the metrics are counts. An operator who does not want
 * /metrics public keeps it behind the proxy (deploy/README.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ops/lan.h"
#include "ops/metrics.h"
#include "http/ops_api.h"

/* The process's one server: the routes' user data. */
static struct {
    char version[OPS_VERSION_MAX];
    char host[LAN_URL_MAX];
    int port;
    char public_url[LAN_URL_MAX]; /* empty: not set */
} ops;

static void on_server(void *ud, const net_http_request *req, net_http_response *res)
{
    json_t *body = json_object(), *urls = json_array();
    char *text = NULL;

    (void)ud;
    (void)req;
    if (!body || !urls)
        goto fail;
    if (ops.public_url[0]) {
        if (json_array_append_new(urls, json_string(ops.public_url)) ||
            json_object_set_new(body, "public_url", json_string(ops.public_url)))
            goto fail;
    } else {
        lan_urls found;

        lan_urls_collect(ops.host, ops.port, &found);
        for (size_t i = 0; i < found.n; i++)
            if (json_array_append_new(urls, json_string(found.items[i].url)))
                goto fail;
    }
    if (json_object_set_new(body, "version", json_string(ops.version)) || json_object_set(body, "join_urls", urls))
        goto fail;
    text = json_dumps(body, JSON_COMPACT);
    if (!text)
        goto fail;
    net_http_reply(res, 200, "application/json", text, strlen(text));
    /* Addresses change when the machine changes networks. */
    res->cache_control = "no-store";
    free(text);
    json_decref(urls);
    json_decref(body);
    return;
fail:
    json_decref(urls);
    json_decref(body);
    net_http_reply_text(res, 500, "Out of memory.");
}

static void on_metrics(void *ud, const net_http_request *req, net_http_response *res)
{
    char *text = NULL;
    size_t len = 0;

    (void)ud;
    (void)req;
    if (metrics_render(&text, &len)) {
        net_http_reply_text(res, 500, "The metrics could not be rendered (out of memory).");
        return;
    }
    net_http_reply(res, 200, METRICS_CONTENT_TYPE, text, len);
    res->cache_control = "no-store";
    free(text);
}

static double ops_connections(void *ud)
{
    return (double)net_server_conn_count(ud);
}

int ops_api_routes(net_server *net, const ops_config *cfg)
{
    snprintf(ops.version, sizeof(ops.version), "%s", cfg->version ? cfg->version : "");
    snprintf(ops.host, sizeof(ops.host), "%s", cfg->host ? cfg->host : "0.0.0.0");
    ops.port = cfg->port;
    snprintf(ops.public_url, sizeof(ops.public_url), "%s", cfg->public_url ? cfg->public_url : "");
    if (net_server_route(net, "/api/server", false, on_server, NULL) ||
        net_server_route(net, "/metrics", false, on_metrics, NULL))
        return -1;
    metrics_verrijk_source(METRICS_SRC_CONNECTIONS, ops_connections, net);
    metrics_watch_net(net_server_counters(net));
    return 0;
}
