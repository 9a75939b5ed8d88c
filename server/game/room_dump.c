/* room_dump: a room's whole state as MessagePack, to compare a room rebuilt from its log with the live one. */
#include "game/room_internal.h"

#include <string.h>

static void dump_votes(msgpack_packer *pk, const game_vote *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++) {
        msgpack_pack_array(pk, 3);
        msgpack_pack_uint32(pk, v[i].player);
        msgpack_pack_int(pk, v[i].pass);
        msgpack_pack_uint32(pk, v[i].value);
    }
}

static void dump_u16s(msgpack_packer *pk, const uint16_t *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++)
        msgpack_pack_uint16(pk, v[i]);
}

static void dump_u32s(msgpack_packer *pk, const uint32_t *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++)
        msgpack_pack_uint32(pk, v[i]);
}

void room_dump(const room *r, msgpack_packer *pk)
{
    msgpack_pack_array(pk, 24);
    msgpack_pack_int(pk, r->created);
    game_pack_str(pk, r->code);
    game_pack_str(pk, room_title(r));
    msgpack_pack_int(pk, r->lang);
    msgpack_pack_int32(pk, r->tz_offset);
    game_opts o;
    room_opts_get(&r->opts, &o);
    game_pack_opts(pk, &o);
    game_pack_str(pk, r->deck ? r->deck->hash : "");
    game_pack_str(pk, r->replay_key);
    msgpack_pack_uint64(pk, r->seq);
    msgpack_pack_uint64(pk, r->last_at);
    msgpack_pack_int(pk, r->locked);
    msgpack_pack_int(pk, r->phase);
    msgpack_pack_array(pk, r->n_members);
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        msgpack_pack_array(pk, 10);
        msgpack_pack_uint64(pk, m->away_since);
        msgpack_pack_uint32(pk, m->id);
        game_pack_str(pk, m->name);
        msgpack_pack_int(pk, m->role);
        msgpack_pack_int(pk, m->seated);
        msgpack_pack_int(pk, m->present);
        msgpack_pack_int(pk, m->online);
        msgpack_pack_int(pk, m->has_token);
        msgpack_pack_bin(pk, sizeof m->token_hash);
        msgpack_pack_bin_body(pk, m->token_hash, sizeof m->token_hash);
        dump_u16s(pk, m->hand, m->n_hand);
    }
    msgpack_pack_array(pk, r->n_rounds);
    for (uint32_t i = 0; i < r->n_rounds; i++) {
        const round_rec *rd = &r->rounds[i];
        msgpack_pack_array(pk, 12);
        msgpack_pack_uint32(pk, rd->number);
        msgpack_pack_uint32(pk, rd->note_bytes);
        room_opts_get(&rd->opts, &o);
        game_pack_opts(pk, &o);
        msgpack_pack_uint64(pk, rd->seed);
        msgpack_pack_uint64(pk, rd->started_at);
        msgpack_pack_uint64(pk, rd->closed_at);
        msgpack_pack_int(pk, rd->closed);
        dump_u16s(pk, rd->cards, rd->n_cards);
        msgpack_pack_array(pk, rd->n_done);
        for (uint32_t j = 0; j < rd->n_done; j++) {
            msgpack_pack_array(pk, 4);
            msgpack_pack_uint16(pk, rd->done[j].card);
            msgpack_pack_uint32(pk, rd->done[j].by);
            dump_votes(pk, rd->done[j].votes, rd->done[j].n_votes);
            game_pack_stats(pk, &rd->done[j].stats);
        }
        game_pack_str(pk, rd->text ? rd->text : "");
        msgpack_pack_array(pk, rd->n_actions);
        for (uint32_t j = 0; j < rd->n_actions; j++)
            game_pack_str(pk, rd->actions[j]);
        msgpack_pack_nil(pk);
    }
    dump_u16s(pk, r->pile, r->n_pile);
    dump_u32s(pk, r->order, r->n_order);
    msgpack_pack_uint32(pk, r->turn);
    const table *t = &r->table;
    msgpack_pack_array(pk, 8);
    msgpack_pack_uint64(pk, t->played_at);
    msgpack_pack_int(pk, t->has);
    msgpack_pack_uint16(pk, t->card);
    msgpack_pack_uint32(pk, t->by);
    msgpack_pack_int(pk, t->revealed);
    dump_votes(pk, t->votes, t->n_votes);
    dump_u32s(pk, t->eligible, t->n_eligible);
    game_pack_stats(pk, &t->stats);
    msgpack_pack_int(pk, r->timer_running);
    msgpack_pack_uint64(pk, r->timer_ends_at);
    msgpack_pack_array(pk, r->n_notes);
    for (uint32_t i = 0; i < r->n_notes; i++) {
        const note *n = &r->notes[i];
        msgpack_pack_array(pk, 6);
        msgpack_pack_uint32(pk, n->id);
        msgpack_pack_uint32(pk, n->player);
        msgpack_pack_uint32(pk, n->round);
        msgpack_pack_uint16(pk, n->card);
        game_pack_str(pk, n->text ? n->text : "");
        msgpack_pack_int(pk, n->hidden);
    }
    msgpack_pack_uint32(pk, r->screen_page);
    msgpack_pack_nil(pk);
    msgpack_pack_nil(pk);
}

bool room_equal(const room *a, const room *b)
{
    msgpack_sbuffer sa, sb;
    msgpack_packer pa, pb;
    msgpack_sbuffer_init(&sa);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pa, &sa, msgpack_sbuffer_write);
    msgpack_packer_init(&pb, &sb, msgpack_sbuffer_write);
    room_dump(a, &pa);
    room_dump(b, &pb);
    bool eq = sa.size == sb.size && memcmp(sa.data, sb.data, sa.size) == 0;
    msgpack_sbuffer_destroy(&sa);
    msgpack_sbuffer_destroy(&sb);
    return eq;
}
