/* cli_view.c - a View (as game_pack_view packs it) printed as text, for `verrijk replay --at`. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_internal.h"

static const msgpack_object *get(const msgpack_object *map, const char *key)
{
    size_t n = strlen(key);

    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object_kv *kv = &map->via.map.ptr[i];

        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == n && memcmp(kv->key.via.str.ptr, key, n) == 0)
            return &kv->val;
    }
    return NULL;
}

static uint64_t get_u(const msgpack_object *map, const char *key)
{
    const msgpack_object *o = get(map, key);

    return o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? o->via.u64 : 0;
}

static bool get_b(const msgpack_object *map, const char *key)
{
    const msgpack_object *o = get(map, key);

    return o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

/* A string field into buf (empty when absent). */
static const char *get_s(const msgpack_object *map, const char *key, char *buf, size_t cap)
{
    const msgpack_object *o = get(map, key);
    size_t n = 0;

    if (o && o->type == MSGPACK_OBJECT_STR) {
        n = o->via.str.size < cap - 1 ? o->via.str.size : cap - 1;
        memcpy(buf, o->via.str.ptr, n);
    }
    buf[n] = '\0';
    return buf;
}

static void print_vote_pairs(const room *r, const msgpack_object *votes)
{
    if (!votes || votes->type != MSGPACK_OBJECT_ARRAY)
        return;
    for (uint32_t i = 0; i < votes->via.array.size; i++) {
        const msgpack_object *pair = &votes->via.array.ptr[i];

        if (pair->type != MSGPACK_OBJECT_ARRAY || pair->via.array.size != 2)
            continue;
        printf("%s%s ", i ? ", " : "", cli_who(r, (uint32_t)pair->via.array.ptr[0].via.u64));
        if (pair->via.array.ptr[1].type == MSGPACK_OBJECT_NIL)
            fputs("pass", stdout);
        else
            printf("%" PRIu64, pair->via.array.ptr[1].via.u64);
    }
}

static void print_view_stats(const msgpack_object *st)
{
    const msgpack_object *mean = get(st, "mean");

    printf("n %" PRIu64 ", pass %" PRIu64, get_u(st, "n"), get_u(st, "pass"));
    if (mean && (mean->type == MSGPACK_OBJECT_FLOAT64 || mean->type == MSGPACK_OBJECT_FLOAT32))
        printf(", mean %.2f", mean->via.f64);
}

void cli_print_view(const room *r, const msgpack_object *v, uint32_t as)
{
    char a[512], b[512];
    const msgpack_object *players = get(v, "players");
    const msgpack_object *tbl = get(v, "table");
    const msgpack_object *history = get(v, "history");
    const msgpack_object *hand = get(v, "hand");
    const msgpack_object *order = get(v, "order");
    const msgpack_object *turn = get(v, "turn");
    const msgpack_object *timer = get(v, "timer");
    const msgpack_object *summary = get(v, "summary");

    printf("Room %s \"%s\", seq %" PRIu64 ", seen as %s\n", get_s(v, "room", a, sizeof(a)),
           get_s(v, "title", b, sizeof(b)), get_u(v, "seq"), as ? cli_who(r, as) : "the public screen");
    printf("Phase %s, round %" PRIu64 ", %s, %" PRIu64 " card%s in the pile\n", get_s(v, "phase", a, sizeof(a)),
           get_u(v, "round"), get_b(v, "locked") ? "locked" : "open to join", get_u(v, "pile"),
           get_u(v, "pile") == 1 ? "" : "s");
    puts("Members:");
    for (uint32_t i = 0; players && players->type == MSGPACK_OBJECT_ARRAY && i < players->via.array.size; i++) {
        const msgpack_object *p = &players->via.array.ptr[i];

        printf("  %-3" PRIu64 " %-20s %s%s%s", get_u(p, "player"), get_s(p, "name", a, sizeof(a)),
               get_b(p, "seated") ? "seated " : "", get_s(p, "role", b, sizeof(b)),
               !get_b(p, "present") ? ", gone"
               : get_b(p, "online") ? ", online"
                                    : ", offline");
        if (get_u(p, "cards"))
            printf(", %" PRIu64 " card%s", get_u(p, "cards"), get_u(p, "cards") == 1 ? "" : "s");
        if (get_b(p, "voted"))
            fputs(", voted", stdout);
        putchar('\n');
    }
    if (order && order->type == MSGPACK_OBJECT_ARRAY && order->via.array.size) {
        fputs("Order: ", stdout);
        for (uint32_t i = 0; i < order->via.array.size; i++)
            printf("%s%s", i ? ", " : "", cli_who(r, (uint32_t)order->via.array.ptr[i].via.u64));
        printf("; turn: %s\n",
               turn && turn->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? cli_who(r, (uint32_t)turn->via.u64) : "nobody");
    }
    if (tbl && tbl->type == MSGPACK_OBJECT_MAP) {
        const msgpack_object *my = get(tbl, "my_vote");
        const msgpack_object *rev = get(tbl, "revealed");

        printf("Table: \"%s\" by %s, %s", cli_card_title(r, get_s(tbl, "card", a, sizeof(a))),
               get_u(tbl, "by") ? cli_who(r, (uint32_t)get_u(tbl, "by")) : "the pile",
               get_s(tbl, "stage", b, sizeof(b)));
        if (my && my->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            printf("; my vote %" PRIu64, my->via.u64);
        else if (my && my->type == MSGPACK_OBJECT_NIL)
            fputs("; my vote: pass", stdout);
        if (rev && rev->type == MSGPACK_OBJECT_MAP) {
            fputs("; ", stdout);
            print_vote_pairs(r, get(rev, "votes"));
            if (get(rev, "votes"))
                fputs("; ", stdout);
            print_view_stats(get(rev, "stats"));
        }
        putchar('\n');
    } else {
        puts("Table: empty");
    }
    if (hand && hand->type == MSGPACK_OBJECT_ARRAY && hand->via.array.size) {
        fputs("Hand:", stdout);
        for (uint32_t i = 0; i < hand->via.array.size; i++) {
            const msgpack_object *c = &hand->via.array.ptr[i];
            char id[GAME_ID_SIZE];
            size_t n = c->type == MSGPACK_OBJECT_STR && c->via.str.size < sizeof(id) ? c->via.str.size : 0;

            memcpy(id, c->via.str.ptr, n);
            id[n] = '\0';
            printf("%s \"%s\"", i ? "," : "", cli_card_title(r, id));
        }
        putchar('\n');
    }
    if (history && history->type == MSGPACK_OBJECT_ARRAY && history->via.array.size) {
        puts("This round:");
        for (uint32_t i = 0; i < history->via.array.size; i++) {
            const msgpack_object *h = &history->via.array.ptr[i];
            const msgpack_object *notes = get(h, "notes");

            printf("  \"%s\" by %s: ", cli_card_title(r, get_s(h, "card", a, sizeof(a))),
                   get_u(h, "by") ? cli_who(r, (uint32_t)get_u(h, "by")) : "the pile");
            print_view_stats(get(h, "stats"));
            if (get(h, "votes")) {
                fputs("; ", stdout);
                print_vote_pairs(r, get(h, "votes"));
            }
            putchar('\n');
            for (uint32_t k = 0; notes && notes->type == MSGPACK_OBJECT_ARRAY && k < notes->via.array.size; k++) {
                const msgpack_object *item = &notes->via.array.ptr[k];

                printf("    note by %s: ", cli_who(r, (uint32_t)get_u(item, "player")));
                cli_print_text(stdout, get(item, "text") ? get_s(item, "text", b, sizeof(b)) : "(hidden)");
                putchar('\n');
            }
        }
    }
    if (timer && timer->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        cli_clock_text(r, timer->via.u64, a, sizeof(a), false);
        printf("Timer runs until %s\n", a);
    }
    if (summary && summary->type == MSGPACK_OBJECT_MAP)
        printf("Summary of round %" PRIu64 " shared\n", get_u(summary, "round"));
}
