/* net_trim.c - gives the heap's free pages back to the kernel once connections came or went. */
#include <stdlib.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "net/net_private.h"

/* Why: a WebSocket's setup allocates more than the connection keeps (the
 * request's header table, 8 KiB of lws' per-request buffers, the room's
 * first log batch), and those frees leave holes between the connections'
 * long-lived blocks. glibc returns memory to the kernel only from the top
 * of the heap, so after a wave of thousands of joins the holes stayed
 * resident: about 0.3 KiB per idle member at 18,000 (bench/BENCH.md,
 * idle). malloc_trim(0) hands every free page inside the heap back
 * (madvise), and the next allocation there takes a fresh zero page. */

static void net_trim_run(uv_timer_t *t)
{
    (void)t;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

void net_trim_init(net_server *srv)
{
    uv_timer_init(srv->loop, &srv->trim);
    srv->trim.data = srv;
    srv->trim_on = true;
}

/* A connection opened or closed: trim within NET_TRIM_AFTER_MS. The
 * timer is not pushed back while it runs, so a steady stream of
 * connections trims at most once per NET_TRIM_AFTER_MS and every
 * change is followed by a trim. */
void net_trim_poke(net_server *srv)
{
    if (srv->trim_on && !uv_is_active((uv_handle_t *)&srv->trim))
        uv_timer_start(&srv->trim, net_trim_run, NET_TRIM_AFTER_MS, 0);
}

void net_trim_stop(net_server *srv)
{
    if (!srv->trim_on)
        return;
    srv->trim_on = false;
    uv_close((uv_handle_t *)&srv->trim, NULL);
}
