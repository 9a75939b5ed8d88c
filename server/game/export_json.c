/* export_json: a closed round's summary as JSON (jansson), the §6 fields and display fields. */
#include "game/export_internal.h"

#include <stdlib.h>

#include <jansson.h>

/* Jansson reports a failed allocation by a NULL value or a -1; both end up
 * in ok, so building goes on without checks at every line. */
static void jset(json_t *obj, const char *key, json_t *val, bool *ok)
{
    if (!val || json_object_set_new(obj, key, val) != 0)
        *ok = false;
}

static void jpush(json_t *arr, json_t *val, bool *ok)
{
    if (!val || json_array_append_new(arr, val) != 0)
        *ok = false;
}

static json_t *jstr_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *json_stats(const game_stats *st, bool *ok)
{
    json_t *o = json_object(), *hist = json_array();
    if (!o || !hist) {
        json_decref(o);
        json_decref(hist);
        *ok = false;
        return NULL;
    }
    bool has = st->n > 0; /* with n = 0 the four figures are nil (§5) */
    jset(o, "n", json_integer(st->n), ok);
    jset(o, "pass", json_integer(st->pass), ok);
    jset(o, "mean", has ? json_real(st->mean) : json_null(), ok);
    jset(o, "median", has ? json_real(st->median) : json_null(), ok);
    jset(o, "min", has ? json_integer(st->min) : json_null(), ok);
    jset(o, "max", has ? json_integer(st->max) : json_null(), ok);
    for (unsigned i = 0; i < st->n_hist && i < GAME_SCALE_MAX; i++)
        jpush(hist, json_integer(st->hist[i]), ok);
    jset(o, "hist", hist, ok);
    return o;
}

static json_t *json_card(const room *r, const deck *d, const char *lang, const game_summary_card *c, uint32_t rank,
                         bool *ok)
{
    json_t *o = json_object(), *notes = json_array();
    if (!o || !notes) {
        json_decref(o);
        json_decref(notes);
        *ok = false;
        return NULL;
    }
    /* The §6 fields first, as on the wire. */
    jset(o, "card", json_string(c->card.s), ok);
    jset(o, "by", c->by ? json_integer(c->by) : json_null(), ok);
    jset(o, "stats", json_stats(&c->stats, ok), ok);
    const char *agreement = c->agreement == GAME_AGREE_NONE ? NULL : game_agreement_name(c->agreement);
    jset(o, "agreement", jstr_or_null(agreement), ok);
    if (c->windows.has) {
        /* [{window, title, stats}], only the windows the rule of §5.3 shows. */
        json_t *ws = json_array();
        for (uint32_t i = 0; ws && i < c->windows.n; i++) {
            const game_window_stats *w = &c->windows.w[i];
            int32_t wi = d ? deck_window_index(d, w->window.s, strlen(w->window.s)) : -1;
            json_t *jw = json_object();
            jset(jw, "window", json_string(w->window.s), ok);
            jset(jw, "title", jstr_or_null(wi >= 0 ? deck_text_in(&d->windows[wi].title, lang) : NULL), ok);
            jset(jw, "stats", json_stats(&w->stats, ok), ok);
            jpush(ws, jw, ok);
        }
        jset(o, "windows", ws, ok);
    }
    for (uint32_t i = 0; i < c->n_notes; i++) {
        const game_note_item *n = &c->notes[i];
        json_t *jn = json_object();
        if (!jn) {
            *ok = false;
            break;
        }
        jset(jn, "note", json_integer(n->note), ok);
        /* A hidden note keeps only its id, as in the summary on the wire:
         * neither its text nor who wrote it (SPEC.md §5). */
        if (n->text) {
            jset(jn, "player", json_integer(n->player), ok);
            jset(jn, "text", json_string(n->text), ok);
            jset(jn, "name", jstr_or_null(member_name(r, n->player)), ok);
        }
        jpush(notes, jn, ok);
    }
    jset(o, "notes", notes, ok);
    /* Display fields. */
    const deck_category *cat = card_category(d, c->card.s);
    jset(o, "rank", json_integer(rank), ok);
    jset(o, "title", json_string(card_title(d, lang, c->card.s)), ok);
    jset(o, "category", jstr_or_null(cat ? cat->id : NULL), ok);
    jset(o, "category_title", jstr_or_null(cat ? deck_text_in(&cat->title, lang) : NULL), ok);
    jset(o, "by_name", jstr_or_null(member_name(r, c->by)), ok);
    return o;
}

static json_t *json_summary(const room *r, const game_summary *s, bool *ok)
{
    const deck *d = room_deck(r);
    const char *lang = words_for(r)->lang;
    json_t *root = json_object(), *cards = json_array(), *cats = json_array(), *actions = json_array(),
           *players = json_array(), *participants = json_array(), *jdeck = json_object(), *scale = json_object(),
           *labels = json_array();
    if (!root || !cards || !cats || !actions || !players || !participants || !jdeck || !scale || !labels) {
        json_decref(root);
        json_decref(cards);
        json_decref(cats);
        json_decref(actions);
        json_decref(players);
        json_decref(participants);
        json_decref(jdeck);
        json_decref(scale);
        json_decref(labels);
        *ok = false;
        return NULL;
    }

    jset(root, "round", json_integer(s->round), ok);
    for (uint32_t i = 0; i < s->n_cards; i++)
        jpush(cards, json_card(r, d, lang, &s->cards[i], i + 1, ok), ok);
    jset(root, "cards", cards, ok);
    for (uint32_t i = 0; i < s->n_categories; i++) {
        const game_summary_category *c = &s->categories[i];
        json_t *jc = json_object();
        if (!jc) {
            *ok = false;
            break;
        }
        jset(jc, "category", json_string(c->category.s), ok);
        jset(jc, "cards", json_integer(c->cards), ok);
        jset(jc, "mean", c->has_mean ? json_real(c->mean) : json_null(), ok);
        jset(jc, "title", json_string(category_title(d, lang, c->category.s)), ok);
        jpush(cats, jc, ok);
    }
    jset(root, "categories", cats, ok);
    jset(root, "text", json_string(s->text ? s->text : ""), ok);
    for (uint32_t i = 0; i < s->n_actions; i++)
        jpush(actions, json_string(s->actions[i]), ok);
    jset(root, "actions", actions, ok);
    for (uint32_t i = 0; i < s->n_players; i++) {
        jpush(players, json_integer(s->players[i]), ok);
        json_t *p = json_object();
        if (!p) {
            *ok = false;
            break;
        }
        jset(p, "player", json_integer(s->players[i]), ok);
        jset(p, "name", jstr_or_null(member_name(r, s->players[i])), ok);
        jpush(participants, p, ok);
    }
    if (s->has_players)
        jset(root, "players", players, ok);
    else
        json_decref(players);
    jset(root, "started_at", json_integer((json_int_t)s->started_at), ok);
    jset(root, "closed_at", json_integer((json_int_t)s->closed_at), ok);
    jset(root, "replay_key", json_string(s->replay_key), ok);

    jset(root, "room", json_string(room_code(r)), ok);
    jset(root, "title", json_string(room_title(r) ? room_title(r) : ""), ok);
    jset(root, "lang", json_string(lang), ok);
    jset(root, "tz_offset", json_integer(room_tz_offset(r)), ok);
    outbuf date = {0};
    out_iso_local(&date, s->closed_at, room_tz_offset(r));
    jset(root, "closed_at_local", date.failed ? NULL : json_string(date.p), ok);
    free(date.p);
    jset(jdeck, "id", json_string(d ? d->id : ""), ok);
    jset(jdeck, "version", json_integer(d ? d->version : 0), ok);
    jset(jdeck, "hash", json_string(d ? d->hash : ""), ok);
    jset(jdeck, "title", d ? json_string(deck_text_in(&d->title, lang)) : json_null(), ok);
    jset(root, "deck", jdeck, ok);
    if (d) {
        char **ls = room_lang(r) == VP_LANG_EN ? d->labels_en : d->labels_nl;
        for (int32_t v = d->scale_min; v <= d->scale_max; v++)
            jpush(labels, json_string(ls[v - d->scale_min]), ok);
    }
    jset(scale, "min", json_integer(d ? d->scale_min : 0), ok);
    jset(scale, "max", json_integer(d ? d->scale_max : 0), ok);
    jset(scale, "labels", labels, ok);
    jset(root, "scale", scale, ok);
    if (s->has_players)
        jset(root, "participants", participants, ok);
    else
        json_decref(participants);
    return root;
}

int export_summary_json(const room *r, const game_summary *s, char **out, size_t *len)
{
    bool ok = true;
    char *buf = NULL;
    json_t *root = json_summary(r, s, &ok);
    /* Indented: the file is a download that people open too. Reals use
     * jansson's default 17 digits, so every mean round-trips exactly. */
    const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
    size_t need = ok && root ? json_dumpb(root, NULL, 0, flags) : 0;
    if (!ok || !root || need == 0 || need > EXPORT_MAX_BYTES)
        goto err;
    /* json_dumpb into our own buffer: the caller frees with free(), whatever
     * allocator jansson was given. */
    if (!(buf = malloc(need + 1)) || json_dumpb(root, buf, need, flags) != need)
        goto err;
    buf[need] = '\0';
    json_decref(root);
    *out = buf;
    *len = need;
    return 0;
err:
    free(buf);
    json_decref(root);
    *out = NULL;
    *len = 0;
    return -1;
}

/* JSON is for programs: its keys are fixed and its display texts are the
 * room's, whatever dialect a download asks for. */
int render_json(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len)
{
    (void)lang;
    return export_summary_json(r, s, out, len);
}
