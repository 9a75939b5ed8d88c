/* bench_proto.c - verrijk-bench speaking protocol/SPEC.md: MessagePack read without allocating, intents packed into one buffer, incoming maps and errors. */
#include "bench_internal.h"

/* ---- MessagePack reading ---- */

uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Walks one object at *off without allocating, so that msgpack-c never sees a
 * declared count larger than the bytes could hold (it allocates for the count
 * up front). Returns 0 and moves *off past the object, or -1. */
static int mp_skip(const uint8_t *p, size_t len, size_t *off, int depth)
{
    if (*off >= len)
        return -1;
    uint8_t b = p[(*off)++];
    size_t left = len - *off;
    uint64_t n = 0, skip = 0;
    int container = 0; /* 1 array, 2 map */
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return 0;
    if (b >= 0x80 && b <= 0x8f) {
        n = b & 0x0f;
        container = 2;
    } else if (b >= 0x90 && b <= 0x9f) {
        n = b & 0x0f;
        container = 1;
    } else if (b >= 0xa0 && b <= 0xbf) {
        skip = b & 0x1f;
    } else {
        static const int8_t ints[] = {1, 2, 4, 8};
        int w;
        switch (b) {
        case 0xc4:
        case 0xc5:
        case 0xc6:
        case 0xd9:
        case 0xda:
        case 0xdb:
            w = (b == 0xc4 || b == 0xd9) ? 1 : (b == 0xc5 || b == 0xda) ? 2 : 4;
            if (left < (size_t)w)
                return -1;
            skip = be(p + *off, w);
            *off += (size_t)w;
            left -= (size_t)w;
            break;
        case 0xc7:
        case 0xc8:
        case 0xc9:
            w = b == 0xc7 ? 1 : b == 0xc8 ? 2 : 4;
            if (left < (size_t)w + 1)
                return -1;
            skip = be(p + *off, w) + 1;
            *off += (size_t)w;
            left -= (size_t)w;
            break;
        case 0xca: skip = 4; break;
        case 0xcb: skip = 8; break;
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xcf: skip = (uint64_t)ints[b - 0xcc]; break;
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3: skip = (uint64_t)ints[b - 0xd0]; break;
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8: skip = 1 + (1u << (b - 0xd4)); break;
        case 0xdc:
        case 0xdd:
        case 0xde:
        case 0xdf:
            w = (b == 0xdc || b == 0xde) ? 2 : 4;
            if (left < (size_t)w)
                return -1;
            n = be(p + *off, w);
            *off += (size_t)w;
            left -= (size_t)w;
            container = (b >= 0xde) ? 2 : 1;
            break;
        default: return -1; /* 0xc1 */
        }
    }
    if (!container) {
        if (skip > left)
            return -1;
        *off += (size_t)skip;
        return 0;
    }
    if (depth > BENCH_DEPTH_MAX)
        return -1;
    if (container == 2)
        n *= 2;
    if (n > left)
        return -1;
    for (uint64_t i = 0; i < n; i++)
        if (mp_skip(p, len, off, depth + 1))
            return -1;
    return 0;
}

static bool mp_is(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n && memcmp(o->via.str.ptr, s, n) == 0;
}

const msgpack_object *mp_get(const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (mp_is(&map->via.map.ptr[i].key, key))
            return &map->via.map.ptr[i].val;
    return NULL;
}

/* A uint field, 0 when absent or nil (member ids start at 1). */
uint64_t mp_uint(const msgpack_object *map, const char *key)
{
    const msgpack_object *o = mp_get(map, key);
    return (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) ? o->via.u64 : 0;
}

/* ---- MessagePack writing into one fixed buffer ---- */

struct outbuf {
    uint8_t b[BENCH_OUT_MAX];
    size_t len;
    bool over;
};

static int outbuf_write(void *data, const char *s, size_t n)
{
    struct outbuf *o = data;
    if (o->len + n > sizeof o->b) {
        o->over = true;
        return -1;
    }
    memcpy(o->b + o->len, s, n);
    o->len += n;
    return 0;
}

static void pk_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void send_intent(conn *c, enum intent k, unsigned arg)
{
    struct outbuf o = {.len = 0, .over = false};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &o, outbuf_write);
    room *r = c->room;
    unsigned fields = 2;
    char name[16];
    switch (k) {
    case IN_CREATE: fields += 7; break;
    case IN_JOIN: fields += 3; break;
    case IN_PLAY:
    case IN_VOTE:
    case IN_NOTE: fields += 1; break;
    case IN_CLOSE: fields += 2; break;
    case IN_RESUME: fields += 2; break;
    default: break;
    }
    msgpack_pack_map(&pk, fields);
    pk_str(&pk, "t");
    pk_str(&pk, intent_names[k]);
    pk_str(&pk, "id");
    msgpack_pack_uint64(&pk, ++c->next_id);
    switch (k) {
    case IN_CREATE:
        pk_str(&pk, "room");
        pk_str(&pk, r->code);
        pk_str(&pk, "name");
        pk_str(&pk, "facilitator");
        pk_str(&pk, "title");
        pk_str(&pk, "verrijk-bench");
        pk_str(&pk, "deck");
        pk_str(&pk, g.deck);
        pk_str(&pk, "lang");
        pk_str(&pk, "en");
        pk_str(&pk, "tz_offset");
        msgpack_pack_int(&pk, 0);
        pk_str(&pk, "opts");
        /* The facilitator reveals when all votes are in, as in a session. */
        msgpack_pack_map(&pk, 1);
        pk_str(&pk, "auto_reveal");
        msgpack_pack_false(&pk);
        break;
    case IN_JOIN:
        snprintf(name, sizeof name, "%s %u", c->slow ? "slow" : "player", (unsigned)c->idx + 1);
        pk_str(&pk, "room");
        pk_str(&pk, r->code);
        pk_str(&pk, "name");
        pk_str(&pk, name);
        pk_str(&pk, "role");
        /* A slow reader is a screen: it holds no cards, takes no turn and
         * never votes, so its room plays on without it. */
        pk_str(&pk, c->slow ? "screen" : "player");
        break;
    case IN_PLAY:
        pk_str(&pk, "card");
        msgpack_pack_str(&pk, g.card_len[arg]);
        msgpack_pack_str_body(&pk, g.cards[arg], g.card_len[arg]);
        break;
    case IN_VOTE:
        pk_str(&pk, "value");
        msgpack_pack_uint32(&pk, arg);
        break;
    case IN_NOTE:
        pk_str(&pk, "text");
        pk_str(&pk, "a note from verrijk-bench");
        break;
    case IN_RESUME:
        pk_str(&pk, "room");
        pk_str(&pk, r->code);
        pk_str(&pk, "token");
        pk_str(&pk, r->slow_token);
        break;
    case IN_CLOSE:
        pk_str(&pk, "text");
        pk_str(&pk, "");
        pk_str(&pk, "actions");
        msgpack_pack_array(&pk, 0);
        break;
    default: break;
    }
    if (o.over)
        return;
    g.c.intents++;
    g.c.intents_by[k]++;
    if (intent_event[k] != EV_OTHER)
        lat_begin(r, k, intent_actor[k] ? c->player : 0);
    ws_send(&c->ws, 0x2, o.b, o.len);
}

/* ---- incoming messages ---- */

static void on_error_msg(conn *c, const msgpack_object *m)
{
    const msgpack_object *code = mp_get(m, "code");
    unsigned i;
    for (i = 0; i < ERROR_CODES - 1; i++)
        if (code && mp_is(code, error_codes[i]))
            break;
    g.c.errors[i]++;
    if (c->state != CS_JOINING)
        return;
    room *r = c->room;
    if (c->idx == 0 && i == 4 /* room_taken */ && r->code_tries < BENCH_CODE_TRIES) {
        /* Another run holds this code: a new one, on a new connection (the
         * URL carries the code too). */
        r->code_tries++;
        room_new_code(r);
        c->tries = 0;
        conn_lost(c, "room_taken");
        return;
    }
    const msgpack_object *msg = mp_get(m, "msg");
    FATAL("%s of room %s member %u refused: %s (%.*s)", c->idx ? "join" : "create", r->code, (unsigned)c->idx + 1,
          error_codes[i], msg && msg->type == MSGPACK_OBJECT_STR ? (int)msg->via.str.size : 0,
          msg && msg->type == MSGPACK_OBJECT_STR ? msg->via.str.ptr : "");
}

static enum ev_kind ev_kind_of(const msgpack_object *e)
{
    if (!e || e->type != MSGPACK_OBJECT_STR)
        return EV_OTHER;
    for (int k = 1; k < EV__COUNT; k++)
        if (mp_is(e, ev_names[k]))
            return (enum ev_kind)k;
    return EV_OTHER;
}

static void handle_map(conn *c, const msgpack_object *m)
{
    g.c.maps++;
    const msgpack_object *t = mp_get(m, "t");
    if (!t || t->type != MSGPACK_OBJECT_STR) {
        on_ws_violation(&c->ws, "a server map without t");
        return;
    }
    if (mp_is(t, "ev")) {
        g.c.events++;
        uint64_t seq = mp_uint(m, "seq");
        if (c->state == CS_OPEN && !c->slow) {
            if (seq != (uint64_t)c->seq + 1)
                g.seq_gaps++;
            c->seq = (uint32_t)seq;
        }
        enum ev_kind k = ev_kind_of(mp_get(m, "e"));
        if (k != EV_OTHER && c->state == CS_OPEN)
            on_event(c, k, (uint32_t)mp_uint(m, "player"), m);
    } else if (mp_is(t, "ok")) {
        g.c.oks++;
    } else if (mp_is(t, "welcome")) {
        /* A slow reader's --slow-resume answers, read late. */
        if (!(c->slow && c->state == CS_OPEN))
            on_welcome(c, m);
    } else if (mp_is(t, "error")) {
        on_error_msg(c, m);
    } else if (!mp_is(t, "pong")) {
        on_ws_violation(&c->ws, "unknown message type");
    }
}

void on_ws_message(ws_conn *ws, const uint8_t *p, size_t n)
{
    conn *c = (conn *)ws;
    size_t off = 0;
    g.now = ws_read_ns;
    if (n == 0) {
        on_ws_violation(&c->ws, "empty message");
        return;
    }
    while (off < n) {
        size_t end = off;
        if (mp_skip(p, n, &end, 1)) {
            on_ws_violation(&c->ws, "malformed MessagePack");
            return;
        }
        /* One zone for every map: cleared, not freed, so decoding does not
         * allocate once it has grown to the largest message. */
        msgpack_zone_clear(&g.zone);
        msgpack_object o;
        size_t uoff = off;
        msgpack_unpack_return rc = msgpack_unpack((const char *)p, end, &uoff, &g.zone, &o);
        if (rc != MSGPACK_UNPACK_SUCCESS || uoff != end) {
            on_ws_violation(&c->ws, "MessagePack the unpacker refuses");
            return;
        }
        if (o.type != MSGPACK_OBJECT_MAP)
            on_ws_violation(&c->ws, "a server message that is not a map");
        else
            handle_map(c, &o);
        if (c->state != CS_OPEN && c->state != CS_JOINING)
            return;
        off = end;
    }
}

/* The upgrade went through: the member creates its room or joins it. */
void on_ws_open(ws_conn *ws)
{
    conn *c = (conn *)ws;
    c->state = CS_JOINING;
    c->tokens -= 1;
    send_intent(c, c->idx == 0 ? IN_CREATE : IN_JOIN, 0);
}
