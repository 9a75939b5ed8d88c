/* api.c - the HTTP API of SPEC.md section 8: the rooms' summaries and
 * replay, the console's handoff; the decks are api_decks.c's.
 *
 * Room URLs answer 404 alike for an unknown room and a wrong key, so that
 * codes cannot be probed; each such 404 counts against the address, and
 * past LIMITS_FAILS_MAX of late the address gets 429 with Retry-After.
 * Every room URL also spends one of the address's downloads
 * (NET_HTTP_READS_MAX), since one may read a whole session log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/api.h"
#include "http/api_internal.h"
#include "ops/metrics.h"
#include "ops/ops_log.h"
#include "game/export.h"
#include "log/record.h"
#include "rooms/rooms.h"

#define API_NOT_FOUND "Not found: no room with this code, or the key does not fit it."

/* ---- rooms: the summary and the replay ----
 *
 * A room in memory answers its summary from its state at once. Anything
 * that reads a session log (the replay; any request for a room not in
 * memory, whose key can only be checked against its log) runs on libuv's
 * thread pool, so that a big log never stalls the loop, and never makes
 * the room live: the job builds a private copy of the room from the log
 * (the same decoding and apply as live play) and forgets it. At most
 * API_JOBS_RUNNING such jobs run at once, leaving the pool's other
 * threads to the session log's writes; API_JOBS_WAITING_MAX more wait. */

#define API_JOBS_RUNNING     2
#define API_JOBS_WAITING_MAX 64
#define API_KEY_MAX          64
#define API_AUTH_MAX         128

typedef struct api_job {
    uv_work_t work;
    struct api_job *next;
    net_http_later *later;
    /* The request, copied off the loop's buffers. */
    char path[EVLOG_DIR_MAX + 64];
    bool authorised;             /* a room in memory checked the key already */
    char key[API_KEY_MAX];       /* ?key=, or empty */
    char token[API_AUTH_MAX];    /* the Bearer token, or empty */
    const export_format *format; /* the summary's, or NULL: the replay */
    uint32_t round;
    int lang; /* ?dialect=, or EXPORT_LANG_ROOM */
    /* The answer, made on the pool thread. */
    net_http_response res;
    bool failed; /* unknown room or wrong key: counts against the address */
    bool read;   /* a log was there and read */
} api_job;

static struct {
    uv_loop_t *loop;
    unsigned running, n_waiting;
    uint64_t logs_read; /* for /metrics */
    api_job *head, *tail;
} jobs;

/* Whether the request proves it may see r: ?key=REPLAY_KEY, or the
 * facilitator's token as a Bearer header. */
static bool may_see(const room *r, const char *key, const char *token)
{
    return (key[0] && room_check_replay_key(r, key, strlen(key))) ||
           (token[0] && room_check_facilitator_token(r, token, strlen(token)));
}

/* The file name's ASCII stand-in for old clients (RFC 6266's filename=):
 * Latin-1 letters lose their accents, any other character becomes '_', and
 * '%' too (some browsers decode %XX there). The name has no '"' or '\'. */
static void ascii_name(const char *name, char *out, size_t cap)
{
    static const char latin1[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo_ouuuuyty";
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < cap;) {
        if (*p < 0x80) {
            out[n++] = *p == '%' ? '_' : (char)*p;
            p++;
        } else if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
            out[n++] = latin1[p[1] - 0x80];
            p += 2;
        } else {
            out[n++] = '_';
            p++;
            while ((*p & 0xc0) == 0x80)
                p++;
        }
    }
    out[n] = '\0';
}

/* Content-Disposition: attachment; filename="ASCII"; filename*=UTF-8''NAME
 * (RFC 6266 and RFC 8187: every byte outside attr-char percent-encoded). */
static int content_disposition(const char *name, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    char ascii[EXPORT_NAME_MAX];
    int n;
    size_t at;

    ascii_name(name, ascii, sizeof(ascii));
    n = snprintf(out, cap, "attachment; filename=\"%s\"; filename*=UTF-8''", ascii);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    at = (size_t)n;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     strchr("!#$&+-.^_`|~", *p);
        if (at + (plain ? 1 : 3) >= cap)
            return -1;
        if (plain) {
            out[at++] = (char)*p;
        } else {
            out[at++] = '%';
            out[at++] = hex[*p >> 4];
            out[at++] = hex[*p & 15];
        }
    }
    out[at] = '\0';
    return 0;
}

static void reply_export(const room *r, uint32_t round, const export_format *f, int lang, net_http_response *res)
{
    char *out = NULL;
    size_t len = 0;
    char name[EXPORT_NAME_MAX], disposition[NET_HTTP_HEADER_MAX];
    int rc = export_round(r, round, f, lang, &out, &len, name);

    if (rc == 1) {
        net_http_reply_text(res, 404, "This round has not been closed.");
        return;
    }
    if (rc) {
        net_http_reply_text(res, 500, "The summary could not be rendered.");
        return;
    }
    net_http_reply(res, 200, f->content_type, out, len);
    /* A download, saved under a name people recognise (SPEC.md §8). */
    if (content_disposition(name, disposition, sizeof(disposition)) == 0)
        net_http_header(res, "content-disposition", disposition);
    /* Exports follow the state (a note hidden later is gone from them). */
    res->cache_control = "no-store";
    free(out);
}

/* The replay's two passes over a log (record_each's callbacks). */
typedef struct replay_pass {
    game_replay *rp;
    size_t last_closed; /* records up to and with the last `closed` */
    msgpack_packer pk;
} replay_pass;

static int replay_scan(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
    replay_pass *rp = ud;

    (void)why;
    (void)whylen;
    game_replay_scan(rp->rp, e);
    if (e->kind == GAME_EV_CLOSED)
        rp->last_closed = i + 1;
    return 0;
}

static int replay_pack(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
    replay_pass *rp = ud;

    (void)i;
    (void)why;
    (void)whylen;
    game_replay_pack(rp->rp, e, &rp->pk);
    return 0;
}

/* The replay: the log's events up to the last `closed`, filtered as the
 * replay column of SPEC.md section 5, as one MessagePack array. */
static void reply_log(const struct evlog_contents *c, net_http_response *res)
{
    replay_pass rp = {.rp = game_replay_new()};
    struct evlog_contents published = *c;
    msgpack_sbuffer out;

    msgpack_sbuffer_init(&out);
    if (!rp.rp)
        goto fail;
    /* First pass: which notes were ever hidden, and where the last round
     * closed (a round still being played is never published). A record
     * that does not decode ends it: the replay stops before it. */
    record_each(c, replay_scan, &rp, NULL);
    msgpack_packer_init(&rp.pk, &out, msgpack_sbuffer_write);
    msgpack_pack_array(&rp.pk, rp.last_closed);
    /* Second pass over the published records only (a view of c that ends
     * there: what follows is never read). */
    published.count = rp.last_closed;
    if (record_each(&published, replay_pack, &rp, NULL))
        goto fail;
    net_http_reply(res, 200, "application/msgpack", out.data, out.size);
    res->cache_control = "no-store";
    goto out;
fail:
    net_http_reply_text(res, 500, "The session log could not be read.");
out:
    game_replay_free(rp.rp);
    msgpack_sbuffer_destroy(&out);
}

/* Folds one record into a private room (record_each's callback). */
static int apply_record(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
    (void)i;
    (void)why;
    (void)whylen;
    return game_apply(ud, e) ? RECORD_BAD : 0;
}

/* The room as its log left it, built in private. NULL when the log does
 * not hold a room (or a record does not fit: it is not one to show). */
static room *room_from_log(const struct evlog_contents *c)
{
    room *r = room_new();

    if (r && (record_each(c, apply_record, r, NULL) || !room_exists(r))) {
        room_free(r);
        return NULL;
    }
    return r;
}

/* On the pool thread: read the log (never repairing it: that is the
 * writer's business), check the key, answer. Touches nothing shared. */
static void job_work(uv_work_t *w)
{
    api_job *j = w->data;
    struct evlog_contents c;
    room *r = NULL;

    if (evlog_read_file(j->path, false, &c)) {
        j->failed = !j->authorised;
        net_http_reply_text(&j->res, 404, API_NOT_FOUND);
        return;
    }
    j->read = true;
    if (!j->authorised || j->format) {
        r = room_from_log(&c);
        if (!r || (!j->authorised && !may_see(r, j->key, j->token))) {
            j->failed = !j->authorised;
            net_http_reply_text(&j->res, 404, API_NOT_FOUND);
            goto out;
        }
    }
    if (j->format)
        reply_export(r, j->round, j->format, j->lang, &j->res);
    else
        reply_log(&c, &j->res);
out:
    room_free(r);
    evlog_contents_free(&c);
}

static void job_start(api_job *j);

static void job_done(uv_work_t *w, int status)
{
    api_job *j = w->data;

    (void)status; /* never cancelled */
    jobs.logs_read += j->read;
    if (j->failed)
        net_http_later_failed(j->later);
    net_http_later_reply(j->later, &j->res);
    free(j->res.body);
    free(j);
    jobs.running--;
    if (jobs.head) {
        api_job *next = jobs.head;

        jobs.head = next->next;
        if (!jobs.head)
            jobs.tail = NULL;
        jobs.n_waiting--;
        job_start(next);
    }
}

static void job_start(api_job *j)
{
    jobs.running++;
    j->work.data = j;
    uv_queue_work(jobs.loop, &j->work, job_work, job_done);
}

/* Queues a job for the request (its fields but `later` filled by the
 * caller); answers at once when the queue is full or memory is short. */
static void job_submit(api_job *j, const net_http_request *req, net_http_response *res)
{
    if (jobs.running >= API_JOBS_RUNNING && jobs.n_waiting >= API_JOBS_WAITING_MAX) {
        free(j);
        net_http_reply_text(res, 503, "The server is busy reading other session logs; try again in a moment.");
        net_http_header(res, "retry-after", "2");
        res->cache_control = "no-store";
        return;
    }
    j->later = net_http_defer(req);
    if (!j->later) {
        free(j);
        net_http_reply_text(res, 500, "Out of memory.");
        return;
    }
    if (jobs.running < API_JOBS_RUNNING) {
        job_start(j);
        return;
    }
    if (jobs.tail)
        jobs.tail->next = j;
    else
        jobs.head = j;
    jobs.tail = j;
    jobs.n_waiting++;
}

/* ---- the console to another device of the facilitator's own ----
 *
 * GET /api/rooms/CODE/handoff with the facilitator's token as a Bearer
 * header answers a one-time code; GET /api/rooms/CODE/claim?code=C answers
 * that token once, within HANDOFF_TTL_MS, to the device that opens the
 * link (it then resumes with it, and the first device is told it was
 * replaced, 4002: SPEC.md §8). The token itself never goes in a URL. The
 * codes live in memory only (a restart forgets them: the facilitator asks
 * again), at most HANDOFF_MAX at once, one per room; a claimed or expired
 * one is wiped. */

#define HANDOFF_MAX        256
#define HANDOFF_TTL_MS     (10u * 60u * 1000u)
#define HANDOFF_CODE_BYTES 16

typedef struct handoff {
    char room[VP_ROOM_LEN + 1];
    char code[2 * HANDOFF_CODE_BYTES + 1];
    char token[API_AUTH_MAX];
    uint64_t expires;
} handoff;

static handoff handoffs[HANDOFF_MAX];

static void handoff_wipe(handoff *h)
{
    /* A volatile pointer, so the token is really overwritten. */
    volatile char *p = (volatile char *)h;

    for (size_t i = 0; i < sizeof(*h); i++)
        p[i] = 0;
}

/* Equal strings of the same length, compared in constant time. */
static bool same_secret(const char *a, const char *b, size_t n)
{
    unsigned char diff = 0;

    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static void reply_handoff(rooms *rs, const char *code, const char *token, const net_http_request *req,
                          net_http_response *res)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[HANDOFF_CODE_BYTES];
    uint64_t now = uv_now(jobs.loop);
    bool gone = false;
    const room *r = rooms_live(rs, code, &gone);
    handoff *slot = NULL, *oldest = &handoffs[0];
    char body[96];

    if (gone || !r || !token[0] || !room_check_facilitator_token(r, token, strlen(token))) {
        net_http_failed(req);
        net_http_reply_text(res, 404, API_NOT_FOUND);
        return;
    }
    /* The room's own slot (a new code replaces its last one), else a
     * free or expired one, else the one that expires first. */
    for (size_t i = 0; i < HANDOFF_MAX; i++) {
        handoff *h = &handoffs[i];

        if (h->room[0] && h->expires <= now)
            handoff_wipe(h);
        if (strcmp(h->room, code) == 0)
            slot = h;
        if (h->expires < oldest->expires)
            oldest = h;
    }
    for (size_t i = 0; !slot && i < HANDOFF_MAX; i++)
        if (!handoffs[i].room[0])
            slot = &handoffs[i];
    if (!slot)
        slot = oldest;
    if (uv_random(NULL, NULL, raw, sizeof(raw), 0, NULL)) {
        net_http_reply_text(res, 500, "No random bytes for a code; try again.");
        return;
    }
    handoff_wipe(slot);
    snprintf(slot->room, sizeof(slot->room), "%s", code);
    snprintf(slot->token, sizeof(slot->token), "%s", token);
    for (size_t i = 0; i < sizeof(raw); i++) {
        slot->code[2 * i] = hex[raw[i] >> 4];
        slot->code[2 * i + 1] = hex[raw[i] & 15];
    }
    slot->expires = now + HANDOFF_TTL_MS;
    snprintf(body, sizeof(body), "{\"code\":\"%s\",\"expires_in\":%u}", slot->code, HANDOFF_TTL_MS / 1000);
    net_http_reply(res, 200, "application/json", body, strlen(body));
    res->cache_control = "no-store";
}

static void reply_claim(rooms *rs, const char *code, const net_http_request *req, net_http_response *res)
{
    char given[2 * HANDOFF_CODE_BYTES + 2];
    uint64_t now = uv_now(jobs.loop);
    int n = net_http_query(req, "code", given, sizeof(given));

    for (size_t i = 0; n == 2 * HANDOFF_CODE_BYTES && i < HANDOFF_MAX; i++) {
        handoff *h = &handoffs[i];
        bool gone = false;
        const room *r;
        char body[API_AUTH_MAX + 32];

        if (strcmp(h->room, code) != 0 || !same_secret(h->code, given, 2 * HANDOFF_CODE_BYTES))
            continue;
        r = rooms_live(rs, code, &gone);
        /* Expired, or the token is no longer the facilitator's (handed
         * over to a member since): the link opens nothing. */
        if (h->expires <= now || gone || !r || !room_check_facilitator_token(r, h->token, strlen(h->token))) {
            handoff_wipe(h);
            break;
        }
        snprintf(body, sizeof(body), "{\"token\":\"%s\"}", h->token);
        handoff_wipe(h);
        net_http_reply(res, 200, "application/json", body, strlen(body));
        res->cache_control = "no-store";
        return;
    }
    net_http_failed(req);
    net_http_reply_text(res, 404, "This link has been used, has expired, or does not fit this session.");
}

static void reply_429(net_http_response *res, uint64_t ms, const char *text)
{
    char retry[24];

    snprintf(retry, sizeof(retry), "%llu", (unsigned long long)((ms + 999) / 1000));
    net_http_reply_text(res, 429, text);
    net_http_header(res, "retry-after", retry);
    res->cache_control = "no-store";
}

/* /api/rooms/CODE/summary.EXTENSION (a format of export.c) | log */
static void on_rooms(void *ud, const net_http_request *req, net_http_response *res)
{
    rooms *rs = ud;
    const char *rest = req->path + strlen("/api/rooms");
    char code[VP_ROOM_LEN + 1], round_text[16], auth[API_AUTH_MAX], dialect[4];
    unsigned long round = 0;
    int lang = EXPORT_LANG_ROOM;
    uint64_t wait_ms;
    const char *what;
    const room *r;
    bool gone = false;
    api_job *j;
    const export_format *f = NULL;
    int n;

    wait_ms = net_http_refused_ms(req);
    if (wait_ms) {
        /* Too many wrong codes or keys from this address of late: not
         * even looked at, so a prober learns nothing (SPEC.md §8). */
        reply_429(res, wait_ms, "Too many failed attempts from your address; try again later.");
        return;
    }
    wait_ms = net_http_spend(req);
    if (wait_ms) {
        /* Each may read a whole log: an address gets a budget of them. */
        reply_429(res, wait_ms, "Too many summary and replay downloads from your address; try again in a minute.");
        return;
    }
    if (strlen(rest) < VP_ROOM_LEN + 3 || rest[0] != '/' || rest[VP_ROOM_LEN + 1] != '/') {
        net_http_failed(req);
        net_http_reply_text(res, 404, API_NOT_FOUND);
        return;
    }
    memcpy(code, rest + 1, VP_ROOM_LEN);
    code[VP_ROOM_LEN] = '\0';
    /* A code as SPEC.md section 2 spells it, nothing else: lws has
     * decoded percent escapes already, so an escaped `%` (or any other
     * character) shows here and is refused like an unknown room. */
    if (!vp_room_code_valid(code, strlen(code))) {
        net_http_failed(req);
        net_http_reply_text(res, 404, API_NOT_FOUND);
        return;
    }
    what = rest + VP_ROOM_LEN + 2;
    if (strcmp(what, "handoff") == 0 || strcmp(what, "claim") == 0) {
        n = net_http_authorization(req, auth, sizeof(auth));
        if (what[0] == 'h')
            reply_handoff(rs, code, n > 7 && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : "", req, res);
        else
            reply_claim(rs, code, req, res);
        return;
    }
    if (strncmp(what, "summary.", 8) == 0)
        f = export_format_find(what + 8);
    if (!f && strcmp(what, "log") != 0) {
        net_http_reply_text(res, 404, "No such export.");
        return;
    }
    /* A round given is a round number: one too long to read (-2) or empty
     * is an error, never the last round. */
    if (f && (n = net_http_query(req, "round", round_text, sizeof(round_text))) != -1) {
        char *end = NULL;

        if (n > 0)
            round = strtoul(round_text, &end, 10);
        if (n <= 0 || *end || round == 0 || round > GAME_MAX_ROUNDS) {
            net_http_reply_text(res, 400, "round must be a round number (1, 2, ...).");
            return;
        }
    }
    /* ?dialect=nl|en: the language (and CSV dialect) of the download, for
     * a reader whose spreadsheet is set to the other language. */
    if (f && (n = net_http_query(req, "dialect", dialect, sizeof(dialect))) != -1) {
        if (n > 0 && strcmp(dialect, "nl") == 0) {
            lang = VP_LANG_NL;
        } else if (n > 0 && strcmp(dialect, "en") == 0) {
            lang = VP_LANG_EN;
        } else {
            net_http_reply_text(res, 400, "dialect must be nl or en.");
            return;
        }
    }
    j = calloc(1, sizeof(*j));
    if (!j) {
        net_http_reply_text(res, 500, "Out of memory.");
        return;
    }
    j->format = f;
    j->round = (uint32_t)round;
    j->lang = lang;
    if (net_http_query(req, "key", j->key, sizeof(j->key)) < 0)
        j->key[0] = '\0';
    n = net_http_authorization(req, auth, sizeof(auth));
    if (n > 7 && strncmp(auth, "Bearer ", 7) == 0)
        snprintf(j->token, sizeof(j->token), "%s", auth + 7);
    /* A room only on disk is turned away before its log is read, so a
     * wrong key costs what an unknown code costs. */
    if (rooms_shelf_refuses(rs, code, j->key[0] ? j->key : NULL, strlen(j->key), j->token[0] ? j->token : NULL,
                            strlen(j->token))) {
        free(j);
        net_http_failed(req);
        net_http_reply_text(res, 404, API_NOT_FOUND);
        return;
    }
    r = rooms_live(rs, code, &gone);
    if (gone || (r && !may_see(r, j->key, j->token)) || rooms_log_path(rs, code, j->path, sizeof(j->path))) {
        free(j);
        net_http_failed(req);
        net_http_reply_text(res, 404, API_NOT_FOUND);
        return;
    }
    if (r && f) {
        /* In memory: the summary is the state's, rendered at once. */
        free(j);
        reply_export(r, (uint32_t)round, f, lang, res);
        return;
    }
    j->authorised = r != NULL;
    job_submit(j, req, res);
}

static uint64_t jobs_logs_read(void *ud)
{
    (void)ud;
    return jobs.logs_read;
}

int api_routes(uv_loop_t *loop, net_server *net, rooms *rs)
{
    jobs.loop = loop;
    /* Only the count: the server runs without metrics if it has none. */
    metrics_counter_fn(
        "verrijk_download_log_reads_total",
        "Session logs read for summary and replay downloads (a wrong key for a room only on disk reads none).",
        jobs_logs_read, NULL);
    if (api_decks_routes(loop, net, rs) || net_server_route(net, "/api/rooms", true, on_rooms, rs))
        return -1;
    return 0;
}
