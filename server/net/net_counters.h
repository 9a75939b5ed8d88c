/* net_counters.h - what the network layer counts as it sends, kept by the server and read by the metrics when they render. */
#ifndef VERRIJK_NET_COUNTERS_H
#define VERRIJK_NET_COUNTERS_H

#include <stdint.h>

/* Counted on the loop thread by net_ws.c, never reset while the server
 * lives. A plain struct, so that whoever reads it (ops/metrics.c, through
 * net_server_counters) needs nothing else of net/, and net/ needs nothing
 * of whoever reads it. */
typedef struct net_counters {
    uint64_t frames_sent;      /* WebSocket frames written */
    uint64_t bytes_sent;       /* their payload bytes */
    uint64_t send_queue_drops; /* connections closed because their send queue was full (slow readers) */
} net_counters;

#endif
