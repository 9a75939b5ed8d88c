/* api_decks.c - the card sets over HTTP (SPEC.md section 8.2): the list
 * the home page offers (GET /api/decks), a deck by its hash, and storing
 * one of the editor's (POST /api/decks, written on the thread pool). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/api.h"
#include "http/api_internal.h"
#include "ops/ops_log.h"
#include "rooms/deck_store.h"
#include "rooms/rooms.h"

#define API_CACHE_FOREVER "public, max-age=31536000, immutable"

/* --list-uploaded-decks: all, or these hashes (NUL-separated, each
 * DECK_HASH_LEN long). */
#define API_LISTED_MAX 64
static uv_loop_t *store_loop;

static struct {
    bool all;
    unsigned n;
    char hash[API_LISTED_MAX][DECK_HASH_LEN + 1];
} listed;

static bool is_hash(const char *s, size_t n)
{
    if (n != DECK_HASH_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

int api_list_uploaded(const char *spec)
{
    memset(&listed, 0, sizeof(listed));
    if (strcmp(spec, "all") == 0) {
        listed.all = true;
        return 0;
    }
    for (const char *p = spec; *p;) {
        size_t n = strcspn(p, ",");

        if (!is_hash(p, n) || listed.n == API_LISTED_MAX)
            return -1;
        memcpy(listed.hash[listed.n++], p, n);
        p += n;
        if (*p == ',' && !*++p)
            return -1;
    }
    return listed.n ? 0 : -1;
}

static bool is_listed(const deck *d)
{
    if (listed.all)
        return true;
    for (unsigned i = 0; i < listed.n; i++)
        if (strcmp(listed.hash[i], d->hash) == 0)
            return true;
    return false;
}

static json_t *text_json(const deck_text *t)
{
    return json_pack("{s:s, s:s}", "nl", t->nl, "en", t->en);
}

/* The v2 parts of a deck's entry the create form needs to offer the round
 * options (SPEC.md §8): how many cards of each kind and for each audience,
 * and the windows. Absent for a v1 deck. */
static void deck_list_v2(const deck *d, json_t *entry)
{
    json_t *kinds = json_object(), *audiences = json_array(), *windows = json_array();

    for (int k = 0; k < DECK_KIND__COUNT; k++) {
        uint32_t n = 0;

        for (uint32_t i = 0; i < d->n_cards; i++)
            n += d->cards[i].kind == (deck_kind)k;
        json_object_set_new(kinds, deck_kind_names[k], json_integer(n));
    }
    for (uint32_t a = 0; a < d->n_audiences; a++) {
        uint32_t n = 0;

        for (uint32_t i = 0; i < d->n_cards; i++)
            n += d->cards[i].audience == 0 || (d->cards[i].audience & (1u << a)) != 0;
        json_array_append_new(audiences, json_pack("{s:s, s:o, s:i}", "id", d->audiences[a].id, "title",
                                                   text_json(&d->audiences[a].title), "cards", (json_int_t)n));
    }
    for (uint32_t w = 0; w < d->n_windows; w++)
        json_array_append_new(windows, json_pack("{s:s, s:o, s:s}", "id", d->windows[w].id, "title",
                                                 text_json(&d->windows[w].title), "color", d->windows[w].color));
    json_object_set_new(entry, "format", json_integer(d->format));
    json_object_set_new(entry, "kinds", kinds);
    json_object_set_new(entry, "audiences", audiences);
    json_object_set_new(entry, "windows", windows);
}

/* GET /api/decks: [{id, version, hash, title, cards, categories}] where
 * cards is a count and categories lists {id, title, color, cards}; a v2
 * deck adds format, kinds, audiences and windows (deck_list_v2). */
static void reply_deck_list(rooms *rs, net_http_response *res)
{
    json_t *list = json_array();
    char *body;

    uint32_t offered = rooms_deck_count(rs);

    /* The decks the server offers, then the stored ones the operator
     * lists (marked `stored`: `create` names those by hash). */
    for (uint32_t i = 0; i < offered + rooms_stored_count(rs); i++) {
        const deck *d = i < offered ? rooms_deck_at(rs, i) : rooms_stored_at(rs, i - offered);
        json_t *cats, *item;

        if (i >= offered && !is_listed(d))
            continue;
        cats = json_array();

        for (uint32_t c = 0; c < d->n_categories; c++) {
            uint32_t n = 0;

            for (uint32_t k = 0; k < d->n_cards; k++)
                n += d->cards[k].category == c;
            json_array_append_new(cats, json_pack("{s:s, s:o, s:s, s:i}", "id", d->categories[c].id, "title",
                                                  text_json(&d->categories[c].title), "color", d->categories[c].color,
                                                  "cards", (json_int_t)n));
        }
        item = json_pack("{s:s, s:i, s:s, s:o, s:i, s:o}", "id", d->id, "version", (json_int_t)d->version, "hash",
                         d->hash, "title", text_json(&d->title), "cards", (json_int_t)d->n_cards, "categories", cats);
        if (item && i >= offered)
            json_object_set_new(item, "stored", json_true());
        if (item && d->format >= 2)
            deck_list_v2(d, item);
        json_array_append_new(list, item);
    }
    body = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    if (body)
        net_http_reply(res, 200, "application/json", body, strlen(body));
    free(body);
    res->cache_control = "no-cache";
}

/* ---- POST /api/decks: store a deck (SPEC.md §8.2) ---- */

/* A JSON answer {error, field?} or any object, never cached. */
static void reply_json(net_http_response *res, int status, json_t *o)
{
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;

    json_decref(o);
    if (!body) {
        net_http_reply_text(res, 500, "Out of memory.");
        return;
    }
    net_http_reply(res, status, "application/json", body, strlen(body));
    res->cache_control = "no-store";
    free(body);
}

/* The validator's message "deck: PATH: what" as {error, field}: the
 * field is the path when there is one (a path has no spaces; "line 3,
 * column 5" of invalid JSON stays in the message). */
static json_t *deck_error_json(const char *msg)
{
    const char *rest = strncmp(msg, "deck: ", 6) == 0 ? msg + 6 : msg;
    const char *colon = strstr(rest, ": ");
    json_t *o = json_object();

    if (colon && colon > rest && !memchr(rest, ' ', (size_t)(colon - rest))) {
        json_object_set_new(o, "field", json_stringn(rest, (size_t)(colon - rest)));
        json_object_set_new(o, "error", json_string(colon + 2));
    } else {
        json_object_set_new(o, "error", json_string(rest));
    }
    return o;
}

typedef struct store_job {
    uv_work_t work;
    net_http_later *later;
    deck *d; /* our own reference */
    char dir[EVLOG_DIR_MAX];
    int err; /* errno of the write, or 0 */
    bool listed;
} store_job;

/* On the pool thread: the file, durably. Touches nothing shared (the deck
 * is read-only). */
static void store_work(uv_work_t *w)
{
    store_job *j = w->data;

    j->err = deck_store_write(j->dir, j->d) ? errno : 0;
}

static json_t *stored_json(const deck *d, bool is_listed_now)
{
    return json_pack("{s:s, s:s, s:i, s:b}", "hash", d->hash, "id", d->id, "version", (json_int_t)d->version, "listed",
                     is_listed_now);
}

static void store_done(uv_work_t *w, int status)
{
    store_job *j = w->data;
    net_http_response res;

    (void)status; /* never cancelled */
    memset(&res, 0, sizeof(res));
    if (j->err) {
        ops_log(OPS_ERROR, NULL, "stored deck %s not written to %s: %s", j->d->hash, j->dir, strerror(j->err));
        reply_json(&res, 500, json_pack("{s:s}", "error", "The server could not store the deck; try again."));
    } else {
        reply_json(&res, 201, stored_json(j->d, j->listed));
    }
    net_http_later_reply(j->later, &res);
    free(res.body);
    deck_unref(j->d);
    free(j);
}

/* Everything uploaded is hostile: it is validated like a deck file (no
 * unknown key, no duplicate key, bounded texts and counts), stored only in
 * its canonical form, and served only as JSON data. */
static void on_deck_post(rooms *rs, const net_http_request *req, net_http_response *res)
{
    char err[512], retry[24];
    uint64_t wait;
    deck *d = NULL;
    const deck *known;
    store_job *j;

    if (strcmp(req->path, "/api/decks") != 0) {
        reply_json(res, 405, json_pack("{s:s}", "error", "POST a deck to /api/decks."));
        return;
    }
    wait = net_http_spend_write(req);
    if (wait) {
        snprintf(retry, sizeof(retry), "%llu", (unsigned long long)((wait + 999) / 1000));
        reply_json(res, 429,
                   json_pack("{s:s}", "error", "Too many new rooms and decks from your address: try again later."));
        net_http_header(res, "retry-after", retry);
        return;
    }
    if (deck_parse_json((const char *)req->body, req->body_len, "deck", &d, err, sizeof(err))) {
        reply_json(res, 422, deck_error_json(err));
        return;
    }
    known = rooms_deck_by_hash(rs, d->hash);
    if (!known && rooms_stored_full(rs)) {
        deck_unref(d);
        reply_json(res, 507, json_pack("{s:s}", "error", "This server stores no more decks; ask its operator."));
        return;
    }
    j = calloc(1, sizeof(*j));
    if (!j || snprintf(j->dir, sizeof(j->dir), "%s", rooms_stored_dir(rs)) >= (int)sizeof(j->dir) ||
        !(j->later = net_http_defer(req))) {
        free(j);
        deck_unref(d);
        reply_json(res, 500, json_pack("{s:s}", "error", "Out of memory."));
        return;
    }
    /* Kept at once (the store takes d, or keeps the one it has); the
     * file is written (or found there) on the thread pool before the
     * answer, so an answered upload survives a restart. */
    j->d = deck_ref(d);
    if (rooms_store_deck(rs, d)) {
        deck_unref(j->d);
        j->later = NULL;
        free(j);
        reply_json(res, 507, json_pack("{s:s}", "error", "This server stores no more decks; ask its operator."));
        return;
    }
    j->listed = is_listed(j->d);
    j->work.data = j;
    uv_queue_work(store_loop, &j->work, store_work, store_done);
}

static void on_decks(void *ud, const net_http_request *req, net_http_response *res)
{
    rooms *rs = ud;
    const char *hash;
    const deck *d;
    char *json = NULL;
    size_t len = 0;

    if (req->post) {
        on_deck_post(rs, req, res);
        return;
    }
    if (strcmp(req->path, "/api/decks") == 0) {
        reply_deck_list(rs, res);
        return;
    }
    hash = req->path + strlen("/api/decks/");
    d = strlen(hash) == DECK_HASH_LEN ? rooms_deck_by_hash(rs, hash) : NULL;
    if (!d) {
        net_http_reply_text(res, 404, "No deck with this hash.");
        return;
    }
    if (deck_to_json(d, &json, &len)) {
        net_http_reply_text(res, 500, "Out of memory.");
        return;
    }
    net_http_reply(res, 200, "application/json", json, len);
    free(json);
    /* Content-addressed: the bytes behind a hash never change. */
    snprintf(res->etag, sizeof(res->etag), "\"%s\"", d->hash);
    res->cache_control = API_CACHE_FOREVER;
}

int api_decks_routes(uv_loop_t *loop, net_server *net, rooms *rs)
{
    store_loop = loop;
    if (net_server_route_post(net, "/api/decks", DECK_STORE_UPLOAD_MAX, on_decks, rs) ||
        net_server_route(net, "/api/decks", true, on_decks, rs))
        return -1;
    return 0;
}
