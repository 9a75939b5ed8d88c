/* room: the state of one room: its lifetime, the helpers the game files share, the queries of room.h. */
#include "game/room_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

room *room_new(void)
{
    room *r = calloc(1, sizeof *r);
    if (r)
        r->phase = GAME_LOBBY;
    return r;
}

int room_opts_set(room_opts *dst, const game_opts *src)
{
    game_id *cats = NULL;
    if (src->n_categories) {
        cats = malloc(src->n_categories * sizeof *cats);
        if (!cats)
            return -1;
        memcpy(cats, src->categories, src->n_categories * sizeof *cats);
    }
    free(dst->categories);
#define COPY(type, name) dst->name = src->name;
    ROOM_OPTS_PLAIN(COPY)
#undef COPY
    dst->categories = cats;
    return 0;
}

void room_opts_get(const room_opts *src, game_opts *dst)
{
    memset(dst, 0, sizeof *dst);
#define COPY(type, name) dst->name = src->name;
    ROOM_OPTS_PLAIN(COPY)
#undef COPY
    if (src->n_categories)
        memcpy(dst->categories, src->categories, src->n_categories * sizeof *dst->categories);
}

void room_opts_clear(room_opts *o)
{
    free(o->categories);
    memset(o, 0, sizeof *o);
}

static void round_clear(round_rec *rd)
{
    room_opts_clear(&rd->opts);
    free(rd->cards);
    for (uint32_t i = 0; i < rd->n_done; i++)
        free(rd->done[i].votes);
    free(rd->done);
    free(rd->text);
    for (uint32_t i = 0; i < rd->n_actions; i++)
        free(rd->actions[i]);
    free(rd->actions);
}

/* Empties the table and frees its votes. */
void table_clear(table *t)
{
    free(t->votes);
    memset(t, 0, sizeof *t);
}

void room_free(room *r)
{
    if (!r)
        return;
    table_clear(&r->table);
    room_opts_clear(&r->opts);
    free(r->order);
    free(r->title);
    deck_unref(r->deck);
    free(r->members);
    for (uint32_t i = 0; i < r->n_rounds; i++)
        round_clear(&r->rounds[i]);
    free(r->rounds);
    free(r->pile);
    for (uint32_t i = 0; i < r->n_notes; i++)
        free(r->notes[i].text);
    free(r->notes);
    free(r);
}

/* ---- shared helpers ---- */

member *room_member(const room *r, uint32_t id)
{
    if (id == 0 || id > r->n_members)
        return NULL;
    return &r->members[id - 1];
}

const round_rec *room_round(const room *r)
{
    return r->n_rounds ? &r->rounds[r->n_rounds - 1] : NULL;
}

uint32_t room_present_count(const room *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->n_members; i++)
        n += r->members[i].present;
    return n;
}

/* May this member vote for themself on a card now: a present player with a
 * device, or the facilitator when the facilitator plays. */
bool room_may_self_vote(const room *r, const member *m)
{
    if (!m->present || m->seated)
        return false;
    if (m->role == VP_ROLE_PLAYER)
        return true;
    return m->role == VP_ROLE_FACILITATOR && r->opts.facilitator_plays;
}

uint32_t room_notes_on(const room *r, uint32_t round, uint16_t card)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->n_notes; i++)
        n += r->notes[i].round == round && r->notes[i].card == card;
    return n;
}

const char *room_card_id(const room *r, uint16_t card)
{
    return r->deck && card < r->deck->n_cards ? r->deck->cards[card].id : "";
}

int hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else
                return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

void room_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = 0;
}

void game_token_hash(const char *token, size_t len, char out[GAME_HASH_HEX + 1])
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)token, len, md);
    room_hex(md, sizeof md, out);
}

/* ---- queries ---- */

bool room_exists(const room *r)
{
    return r->created;
}
const char *room_code(const room *r)
{
    return r->code;
}
game_phase room_phase(const room *r)
{
    return r->phase;
}
uint64_t room_seq(const room *r)
{
    return r->seq;
}
uint64_t room_last_at(const room *r)
{
    return r->last_at;
}
const deck *room_deck(const room *r)
{
    return r->deck;
}
const char *room_title(const room *r)
{
    return r->title ? r->title : "";
}
vp_lang room_lang(const room *r)
{
    return r->lang;
}
int32_t room_tz_offset(const room *r)
{
    return r->tz_offset;
}
uint32_t room_rounds(const room *r)
{
    return r->n_rounds;
}
uint32_t room_members(const room *r)
{
    return r->n_members;
}

uint32_t room_facilitator(const room *r)
{
    for (uint32_t i = 0; i < r->n_members; i++)
        if (r->members[i].present && r->members[i].role == VP_ROLE_FACILITATOR)
            return r->members[i].id;
    return 0;
}

bool room_member_present(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m && m->present;
}

bool room_member_online(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m && m->online;
}

uint64_t room_member_away_since(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m && !m->online ? m->away_since : 0;
}

const char *room_member_name(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m ? m->name : NULL;
}

bool room_member_role(const room *r, uint32_t id, vp_role *role, bool *seated)
{
    const member *m = room_member(r, id);
    if (!m)
        return false;
    if (role)
        *role = m->role;
    if (seated)
        *seated = m->seated;
    return true;
}

bool room_check_replay_key(const room *r, const char *key, size_t len)
{
    if (!r->created || len != GAME_KEY_HEX)
        return false;
    return CRYPTO_memcmp(r->replay_key, key, GAME_KEY_HEX) == 0;
}

bool room_check_facilitator_token(const room *r, const char *token, size_t len)
{
    const member *m = room_member(r, room_facilitator(r));
    if (!m || !m->has_token || len != GAME_KEY_HEX)
        return false;
    char hex[GAME_HASH_HEX + 1];
    uint8_t hash[32];
    game_token_hash(token, len, hex);
    hex_to_bytes(hex, hash, sizeof hash);
    return CRYPTO_memcmp(hash, m->token_hash, sizeof hash) == 0;
}

void room_access_of(const room *r, room_access *out)
{
    const member *m = room_member(r, room_facilitator(r));
    memset(out, 0, sizeof *out);
    SHA256((const unsigned char *)r->replay_key, strlen(r->replay_key), out->key_hash);
    out->has_token = m && m->has_token;
    if (out->has_token)
        memcpy(out->token_hash, m->token_hash, sizeof out->token_hash);
}

bool room_access_check(const room_access *a, const char *key, size_t key_len, const char *token, size_t token_len)
{
    /* The same work for every input: a hash of each, two comparisons. */
    char zero[GAME_KEY_HEX] = {0}, hex[GAME_HASH_HEX + 1];
    bool key_ok = key && key_len == GAME_KEY_HEX, token_ok = token && token_len == GAME_KEY_HEX;
    uint8_t key_hash[32], token_hash[32];
    SHA256((const unsigned char *)(key_ok ? key : zero), GAME_KEY_HEX, key_hash);
    game_token_hash(token_ok ? token : zero, GAME_KEY_HEX, hex);
    hex_to_bytes(hex, token_hash, sizeof token_hash);
    key_ok &= CRYPTO_memcmp(key_hash, a->key_hash, sizeof key_hash) == 0;
    token_ok &= CRYPTO_memcmp(token_hash, a->token_hash, sizeof token_hash) == 0 && a->has_token;
    return key_ok || token_ok;
}
