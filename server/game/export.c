/* export: the download formats, one row each, a download's file name, and a round rendered on request. */
#include "game/export_internal.h"

#include <stdlib.h>
#include <string.h>

/* Rounds follow one another (start needs the last one closed), so every
 * round but the last is closed, and the last one is once the room is. */
static bool round_closed(const room *r, uint32_t n)
{
    uint32_t k = room_rounds(r);
    return n >= 1 && n <= k && (n < k || room_phase(r) == GAME_CLOSED);
}

/* Every download format, one row each, in the order help texts list them;
 * each format renders in a file of its own (export_md.c, export_json.c,
 * export_csv.c). */
static const export_format formats[] = {
    {"md", "text/markdown; charset=utf-8", render_md},
    {"json", "application/json; charset=utf-8", render_json},
    {"csv", "text/csv; charset=utf-8; header=present", render_csv_in},
};

const export_format *export_format_at(size_t i)
{
    return i < sizeof(formats) / sizeof(formats[0]) ? &formats[i] : NULL;
}

const export_format *export_format_find(const char *ext)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i].extension, ext) == 0)
            return &formats[i];
    return NULL;
}

/* ---- a download's file name ---- */

/* The length of the UTF-8 sequence that starts with byte c (1 for a stray
 * continuation byte, which the name then drops as any other odd byte). */
static size_t utf8_len(unsigned char c)
{
    return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* The title as a piece of a file name every OS takes: no control
 * characters and none of \ / : * ? " < > | (Windows refuses them, and a
 * slash is a folder everywhere), runs of blanks as one space, no blanks or
 * dots at either end (Windows drops trailing ones), at most
 * EXPORT_NAME_TITLE_MAX bytes, cut between characters. */
static void name_title(outbuf *b, const char *title)
{
    size_t start = b->len;
    bool space = false;
    for (const char *p = title; *p;) {
        unsigned char c = (unsigned char)*p;
        size_t n = utf8_len(c);
        if (strnlen(p, n) < n)
            break;
        bool bad = c < 0x20 || c == 0x7f || (c < 0x80 && strchr("\\/:*?\"<>|", c));
        if (bad || c == ' ' || (n == 2 && c == 0xc2 && (unsigned char)p[1] == 0xa0)) {
            space = b->len > start;
            p += n;
            continue;
        }
        if (b->len - start + n + (space ? 1 : 0) > EXPORT_NAME_TITLE_MAX)
            break;
        if (space)
            out_char(b, ' ');
        space = false;
        if (c == '.' && b->len == start) {
            p++;
            continue;
        }
        out_add(b, p, n);
        p += n;
    }
    while (b->len > start && b->p[b->len - 1] == '.')
        b->p[--b->len] = '\0';
}

/* "2026-12-04 Studiedag ronde 1.csv": the date the round closed (the
 * room's wall clock), the title (or the untitled word), the round. */
static int file_name(const room *r, const game_summary *s, const export_format *f, const words *w,
                     char name[EXPORT_NAME_MAX])
{
    outbuf b = {0};
    local_time t = local_time_at(s->closed_at, room_tz_offset(r));
    const char *title = room_title(r);
    out_fmt(&b, "%04lld-%02u-%02u ", (long long)t.year, t.month, t.day);
    size_t before = b.len;
    name_title(&b, title ? title : "");
    if (b.len == before)
        name_title(&b, w->untitled);
    out_fmt(&b, " %s %u.%s", w->file_round, s->round, f->extension);
    if (b.failed || b.len >= EXPORT_NAME_MAX) {
        free(b.p);
        return -1;
    }
    memcpy(name, b.p, b.len + 1);
    free(b.p);
    return 0;
}

int export_round(const room *r, uint32_t round, const export_format *f, int lang, char **out, size_t *len,
                 char name[EXPORT_NAME_MAX])
{
    *out = NULL;
    *len = 0;
    if (!room_exists(r))
        return 1;
    vp_lang in = lang == EXPORT_LANG_ROOM ? room_lang(r) : (vp_lang)lang;
    game_summary *s = room_summary(r, round);
    if (!s) {
        /* room_summary says NULL both for "no such round" and for out of
         * memory; a round that is closed tells them apart. */
        uint32_t k = room_rounds(r);
        bool exists = round ? round_closed(r, round) : round_closed(r, k) || round_closed(r, k - 1);
        return exists ? -1 : 1;
    }
    int rc = f->render(r, s, in, out, len);
    if (rc == 0 && name && file_name(r, s, f, words_in(in), name)) {
        free(*out);
        *out = NULL;
        *len = 0;
        rc = -1;
    }
    game_summary_free(s);
    return rc;
}
