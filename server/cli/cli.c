/* cli.c - `verrijk replay` and `verrijk export`: a session log read offline, through the same record.c and game_apply as live play.
 *
 * The file is read whole with evlog_read_file without repair: a log copied
 * from a server (or one a server still writes) is never changed. Every
 * record is read by record_each (record.c, as live loading does) and folded
 * into a room by game_apply, so what the CLI shows is what the server would
 * rebuild. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <msgpack.h>

#include "cli/cli.h"
#include "cli/cli_json.h"

#include "game/export.h"
#include "game/room.h"
#include "log/evlog.h"
#include "log/record.h"

enum { CLI_OK = 0, CLI_BAD = 1, CLI_USAGE = 2 };

typedef struct cli_log {
	const char *path;
	struct evlog_contents c;
	room *r;
	/* The fold stopped early, at the record `bad` says. */
	bool failed;
	record_error bad;
} cli_log;

/* ---- reading and folding ---- */

/* Reads the file without repairing it. Returns 0, or CLI_BAD after saying why. */
static int log_open(cli_log *lg, const char *path)
{
	int err;

	memset(lg, 0, sizeof(*lg));
	lg->path = path;
	err = evlog_read_file(path, false, &lg->c);
	if (err) {
		if (err == UV_EINVAL)
			fprintf(stderr, "verrijk: %s is not a session log (it does not start with %s)\n", path,
			        EVLOG_MAGIC);
		else
			fprintf(stderr, "verrijk: cannot read %s: %s\n", path, uv_strerror(err));
		return CLI_BAD;
	}
	lg->r = room_new();
	if (!lg->r) {
		evlog_contents_free(&lg->c);
		fprintf(stderr, "verrijk: out of memory\n");
		return CLI_BAD;
	}
	return 0;
}

static void log_close(cli_log *lg)
{
	room_free(lg->r);
	evlog_contents_free(&lg->c);
}

/* What a mode does with each event once it is applied: 0 to go on,
 * RECORD_STOP to stop there. */
typedef int (*cli_each)(cli_log *lg, size_t i, const game_event *e, void *ud);

typedef struct cli_fold {
	cli_log *lg;
	cli_each fn;
	void *ud;
} cli_fold;

static int fold_one(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
	cli_fold *f = ud;

	if (game_apply(f->lg->r, e)) {
		snprintf(why, whylen, "%s (seq %" PRIu64 ") does not fit the room as the records before it left it",
		         game_event_name(e->kind), e->seq);
		return RECORD_BAD;
	}
	return f->fn ? f->fn(f->lg, i, e, f->ud) : 0;
}

/* Decodes and applies the records to lg->r in order, calling fn (when not
 * NULL) after each. Sets lg->failed and lg->bad at a record that does not
 * decode or apply. */
static void log_fold(cli_log *lg, cli_each fn, void *ud)
{
	cli_fold f = { lg, fn, ud };

	lg->failed = record_each(&lg->c, fold_one, &f, &lg->bad) == RECORD_BAD;
}

/* Says on stderr what lies after the valid records, if anything. */
static void warn_tail(const cli_log *lg)
{
	if (lg->c.tail != EVLOG_TAIL_CLEAN)
		fprintf(stderr, "verrijk: %s: after %zu whole records, %" PRIu64 " bytes at offset %" PRIu64
		        " are not a whole record (%s); shown up to there, the file is left as it is\n",
		        lg->path, lg->c.count, lg->c.cut, lg->c.valid_end, evlog_tail_name(lg->c.tail));
}

static void warn_failed(const cli_log *lg)
{
	fprintf(stderr, "verrijk: %s: record %zu at offset %zu: %s; shown up to there\n", lg->path, lg->bad.index + 1,
	        lg->bad.offset, lg->bad.why);
}

/* ---- words for people ---- */

static const char *lang_of(const room *r)
{
	return room_exists(r) ? vp_lang_name(room_lang(r)) : "en";
}

static const char *who(const room *r, uint32_t id)
{
	const char *name = id ? room_member_name(r, id) : NULL;

	return name ? name : "someone";
}

static const char *card_title(const room *r, const char *id)
{
	const deck *d = room_exists(r) ? room_deck(r) : NULL;
	int32_t i = d ? deck_card_index(d, id, strlen(id)) : -1;

	return i < 0 ? id : deck_text_in(&d->cards[i].title, lang_of(r));
}

/* hh:mm:ss of ms since the epoch, in the room's offset from UTC. */
static void clock_text(const room *r, uint64_t ms, char *out, size_t cap, bool with_date)
{
	int32_t tz = room_exists(r) ? room_tz_offset(r) : 0;
	time_t t = (time_t)(ms / 1000) + (time_t)tz * 60;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

static void print_stats(FILE *out, const game_stats *st)
{
	if (st->n == 0)
		fprintf(out, "no votes but %u pass%s", st->pass, st->pass == 1 ? "" : "es");
	else
		fprintf(out, "n %u, mean %.2f, median %.2f, min %u, max %u%s", st->n, st->mean, st->median, st->min,
		        st->max, st->pass ? ", and passes" : "");
	if (st->n && st->pass)
		fprintf(out, " (%u)", st->pass);
}

static void print_ids(FILE *out, const room *r, const uint32_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", who(r, ids[i]));
	if (n == 0)
		fputs("nobody", out);
}

/* A person's text on one line: line breaks and tabs become visible
 * escapes, so one event stays one line. */
static void print_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '\r')
			fputs("\\r", out);
		else if (*s == '\t')
			fputs("\\t", out);
		else
			fputc(*s, out);
	}
}

/* What event e did, in one line, with r the room after it. It shows what
 * the public replay shows (rp, the core's replay filter, decides): no
 * vote value before the reveal, no names at the reveal of an anonymous
 * round, no text of a note hidden at any time, no replay key. */
static void describe(FILE *out, const room *r, const game_event *e, const game_replay *rp)
{
	switch (e->kind) {
	case GAME_EV_CREATED:
		/* The creator's name comes with the `joined` that follows. */
		fprintf(out, "room %s \"%s\" created (deck %s v%u, %s, mode %s)", e->u.created.room, e->u.created.title ? e->u.created.title : "",
		        e->u.created.deck ? e->u.created.deck->id : "?", e->u.created.deck ? e->u.created.deck->version : 0,
		        vp_lang_name(e->u.created.lang), e->u.created.opts.mode == VP_MODE_DECK ? "deck" : "hands");
		break;
	case GAME_EV_JOINED:
		fprintf(out, "%s joined as %s%s", e->u.joined.name,
		        e->u.joined.seated ? "seated " : "", vp_role_name(e->u.joined.role));
		break;
	case GAME_EV_PRESENCE:
		fprintf(out, "%s is %s", who(r, e->u.presence.player), e->u.presence.online ? "online" : "offline");
		break;
	case GAME_EV_LEFT:
		fprintf(out, "%s %s", who(r, e->u.left.player), e->u.left.kicked ? "was removed by the facilitator" : "left");
		break;
	case GAME_EV_HANDED:
		fprintf(out, "%s handed the facilitator's role to %s", who(r, e->u.handed.from), who(r, e->u.handed.to));
		break;
	case GAME_EV_LOCKED:
		fprintf(out, "the room was %s", e->u.locked.locked ? "locked" : "unlocked");
		break;
	case GAME_EV_ROUND:
		fprintf(out, "round %u started with %u cards; order: ", e->u.round.round, e->u.round.pile);
		print_ids(out, r, e->u.round.order, e->u.round.n_order);
		break;
	case GAME_EV_DEALT:
		fputs("dealt:", out);
		for (uint32_t i = 0; i < e->u.dealt.n_hands; i++) {
			const game_hand *h = &e->u.dealt.hands[i];

			fprintf(out, "%s %s [", i ? ";" : "", who(r, h->player));
			for (uint32_t k = 0; k < h->n_cards; k++)
				fprintf(out, "%s%s", k ? ", " : "", h->cards[k].s);
			fputc(']', out);
		}
		break;
	case GAME_EV_ORDER:
		fputs("turn order: ", out);
		print_ids(out, r, e->u.order.order, e->u.order.n_order);
		break;
	case GAME_EV_TURN:
		if (e->u.turn.player)
			fprintf(out, "%s's turn", who(r, e->u.turn.player));
		else
			fputs("nobody holds cards any more", out);
		break;
	case GAME_EV_PLAYED:
		if (e->u.played.player)
			fprintf(out, "%s played \"%s\"", who(r, e->u.played.player), card_title(r, e->u.played.card.s));
		else
			fprintf(out, "\"%s\" was drawn from the pile", card_title(r, e->u.played.card.s));
		break;
	case GAME_EV_VOTED:
		fprintf(out, "%s voted", who(r, e->u.voted.vote.player));
		if (game_replay_shows_vote_value(rp)) {
			if (e->u.voted.vote.pass)
				fputs(" (pass)", out);
			else
				fprintf(out, " %u", e->u.voted.vote.value);
		}
		break;
	case GAME_EV_REOPENED:
		fprintf(out, "voting on \"%s\" opened again", card_title(r, e->u.reopened.card.s));
		break;
	case GAME_EV_REVEALED:
		fprintf(out, "votes on \"%s\" revealed: ", card_title(r, e->u.revealed.card.s));
		if (game_replay_shows_voters(rp)) {
			for (uint32_t i = 0; i < e->u.revealed.n_votes; i++) {
				const game_vote *v = &e->u.revealed.votes[i];

				if (v->pass)
					fprintf(out, "%s%s passed", i ? ", " : "", who(r, v->player));
				else
					fprintf(out, "%s%s %u", i ? ", " : "", who(r, v->player), v->value);
			}
			fputs("; ", out);
		}
		print_stats(out, &e->u.revealed.stats);
		break;
	case GAME_EV_NOTED:
		if (!game_replay_shows_note_text(rp, e->u.noted.note))
			fprintf(out, "a note %u on \"%s\" (hidden later)", e->u.noted.note,
			        card_title(r, e->u.noted.card.s));
		else
		{
			fprintf(out, "%s wrote note %u on \"%s\": ", who(r, e->u.noted.player), e->u.noted.note,
			        card_title(r, e->u.noted.card.s));
			print_text(out, e->u.noted.text);
		}
		break;
	case GAME_EV_HIDDEN:
		fprintf(out, "note %u was hidden", e->u.hidden.note);
		break;
	case GAME_EV_DONE:
		fprintf(out, "\"%s\" is done", card_title(r, e->u.done.card.s));
		break;
	case GAME_EV_SKIPPED:
		fprintf(out, "%s's turn was skipped", who(r, e->u.skipped.player));
		break;
	case GAME_EV_TIMER:
		if (e->u.timer.running) {
			char at[32];

			clock_text(r, e->u.timer.ends_at, at, sizeof(at), false);
			fprintf(out, "timer runs until %s", at);
		} else {
			fputs("timer cancelled", out);
		}
		break;
	case GAME_EV_CLOSED: {
		const game_summary *s = e->u.closed.summary;

		fprintf(out, "round %u closed", e->u.closed.round);
		if (s && s->n_cards && s->cards[0].stats.n)
			fprintf(out, ": %u card%s, highest \"%s\" (mean %.2f)", s->n_cards, s->n_cards == 1 ? "" : "s",
			        card_title(r, s->cards[0].card.s), s->cards[0].stats.mean);
		else if (s)
			fprintf(out, ": %u card%s", s->n_cards, s->n_cards == 1 ? "" : "s");
		break;
	}
	case GAME_EV_REKEYED:
		fputs("a new replay key replaced the old one", out);
		if (game_replay_shows_key(rp))
			fprintf(out, ": %s", e->u.rekeyed.replay_key);
		break;
	case GAME_EV_WINDOWED:
		if (e->u.windowed.player)
			fprintf(out, "%s speaks from %s", who(r, e->u.windowed.player),
			        e->u.windowed.window.s[0] ? e->u.windowed.window.s : "no window");
		else
			fprintf(out, "the empty chair %s", e->u.windowed.window.s[0] ? e->u.windowed.window.s : "is cleared");
		break;
	case GAME_EV__COUNT:
		fputs(game_event_name(e->kind), out);
		break;
	}
}

/* ---- replay ---- */

typedef struct replay_opts {
	bool json, verify, have_at;
	uint64_t at;
	uint32_t as; /* the member whose View --at shows; 0: the public screen's */
} replay_opts;

static int scan_one(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
	(void)i;
	(void)why;
	(void)whylen;
	game_replay_scan(ud, e);
	return 0;
}

/* Scans the whole log into rp, as the public replay does (it hides a
 * note's text from its start when the note is hidden at any time). Needs
 * only decoding; a record that does not decode ends it (the fold reports
 * it). */
static void scan_replay(const cli_log *lg, game_replay *rp)
{
	record_each(&lg->c, scan_one, rp, NULL);
}

typedef struct timeline {
	game_replay *rp;
	char last_day[16];
} timeline;

static int timeline_line(cli_log *lg, size_t i, const game_event *e, void *ud)
{
	timeline *t = ud;
	char when[32];

	(void)i;
	game_replay_track(t->rp, e);
	clock_text(lg->r, e->at, when, sizeof(when), true);
	if (strncmp(when, t->last_day, 10) != 0) {
		int32_t tz = room_tz_offset(lg->r);

		memcpy(t->last_day, when, 10);
		t->last_day[10] = '\0';
		printf("-- %s (UTC%c%02d:%02d)\n", t->last_day, tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
	}
	printf("%s  #%" PRIu64 "  ", when + 11, e->seq);
	describe(stdout, lg->r, e, t->rp);
	putchar('\n');
	return 0;
}

static int replay_timeline(cli_log *lg)
{
	timeline t = { .rp = game_replay_new() };

	if (!t.rp) {
		fprintf(stderr, "verrijk: out of memory\n");
		return CLI_BAD;
	}
	scan_replay(lg, t.rp);
	log_fold(lg, timeline_line, &t);
	game_replay_free(t.rp);
	return 0;
}

/* Decoded and applied first, so what is printed is what the server would
 * rebuild; then the record's own bytes. */
static int json_record(cli_log *lg, size_t i, const game_event *e, void *ud)
{
	uint32_t len;
	const uint8_t *p = evlog_contents_payload(&lg->c, i, &len);

	(void)e;
	(void)ud;
	return cli_json_line(stdout, p, len) ? RECORD_STOP : 0;
}

static int replay_json(cli_log *lg)
{
	log_fold(lg, json_record, NULL);
	return 0;
}

/* ---- a View as text ---- */

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
		printf("%s%s ", i ? ", " : "", who(r, (uint32_t)pair->via.array.ptr[0].via.u64));
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

static void print_view_text(const room *r, const msgpack_object *v, uint32_t as)
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
	       get_s(v, "title", b, sizeof(b)), get_u(v, "seq"), as ? who(r, as) : "the public screen");
	printf("Phase %s, round %" PRIu64 ", %s, %" PRIu64 " card%s in the pile\n", get_s(v, "phase", a, sizeof(a)),
	       get_u(v, "round"), get_b(v, "locked") ? "locked" : "open to join", get_u(v, "pile"),
	       get_u(v, "pile") == 1 ? "" : "s");
	puts("Members:");
	for (uint32_t i = 0; players && players->type == MSGPACK_OBJECT_ARRAY && i < players->via.array.size; i++) {
		const msgpack_object *p = &players->via.array.ptr[i];

		printf("  %-3" PRIu64 " %-20s %s%s%s", get_u(p, "player"), get_s(p, "name", a, sizeof(a)),
		       get_b(p, "seated") ? "seated " : "", get_s(p, "role", b, sizeof(b)),
		       !get_b(p, "present") ? ", gone" : get_b(p, "online") ? ", online" : ", offline");
		if (get_u(p, "cards"))
			printf(", %" PRIu64 " card%s", get_u(p, "cards"), get_u(p, "cards") == 1 ? "" : "s");
		if (get_b(p, "voted"))
			fputs(", voted", stdout);
		putchar('\n');
	}
	if (order && order->type == MSGPACK_OBJECT_ARRAY && order->via.array.size) {
		fputs("Order: ", stdout);
		for (uint32_t i = 0; i < order->via.array.size; i++)
			printf("%s%s", i ? ", " : "", who(r, (uint32_t)order->via.array.ptr[i].via.u64));
		printf("; turn: %s\n",
		       turn && turn->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? who(r, (uint32_t)turn->via.u64) : "nobody");
	}
	if (tbl && tbl->type == MSGPACK_OBJECT_MAP) {
		const msgpack_object *my = get(tbl, "my_vote");
		const msgpack_object *rev = get(tbl, "revealed");

		printf("Table: \"%s\" by %s, %s", card_title(r, get_s(tbl, "card", a, sizeof(a))),
		       get_u(tbl, "by") ? who(r, (uint32_t)get_u(tbl, "by")) : "the pile",
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
			printf("%s \"%s\"", i ? "," : "", card_title(r, id));
		}
		putchar('\n');
	}
	if (history && history->type == MSGPACK_OBJECT_ARRAY && history->via.array.size) {
		puts("This round:");
		for (uint32_t i = 0; i < history->via.array.size; i++) {
			const msgpack_object *h = &history->via.array.ptr[i];
			const msgpack_object *notes = get(h, "notes");

			printf("  \"%s\" by %s: ", card_title(r, get_s(h, "card", a, sizeof(a))),
			       get_u(h, "by") ? who(r, (uint32_t)get_u(h, "by")) : "the pile");
			print_view_stats(get(h, "stats"));
			if (get(h, "votes")) {
				fputs("; ", stdout);
				print_vote_pairs(r, get(h, "votes"));
			}
			putchar('\n');
			for (uint32_t k = 0; notes && notes->type == MSGPACK_OBJECT_ARRAY && k < notes->via.array.size; k++) {
				const msgpack_object *item = &notes->via.array.ptr[k];

				printf("    note by %s: ", who(r, (uint32_t)get_u(item, "player")));
				print_text(stdout, get(item, "text") ? get_s(item, "text", b, sizeof(b)) : "(hidden)");
				putchar('\n');
			}
		}
	}
	if (timer && timer->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		clock_text(r, timer->via.u64, a, sizeof(a), false);
		printf("Timer runs until %s\n", a);
	}
	if (summary && summary->type == MSGPACK_OBJECT_MAP)
		printf("Summary of round %" PRIu64 " shared\n", get_u(summary, "round"));
}

/* Stops the fold at the event --at names (or the first after it). */
static int at_reached(cli_log *lg, size_t i, const game_event *e, void *ud)
{
	(void)lg;
	(void)i;
	return e->seq >= *(const uint64_t *)ud ? RECORD_STOP : 0;
}

static int replay_at(cli_log *lg, const replay_opts *o)
{
	msgpack_sbuffer buf;
	msgpack_packer pk;
	msgpack_unpacked u;
	size_t off = 0;
	int rc = CLI_BAD;

	log_fold(lg, at_reached, (void *)&o->at);
	if (!room_exists(lg->r)) {
		fprintf(stderr, "verrijk: %s: no room at seq %" PRIu64 "\n", lg->path, o->at);
		return CLI_BAD;
	}
	if (room_seq(lg->r) < o->at)
		fprintf(stderr, "verrijk: %s ends at seq %" PRIu64 "; showing the View there\n", lg->path, room_seq(lg->r));
	if (o->as && !room_member_name(lg->r, o->as)) {
		fprintf(stderr, "verrijk: there is no member %u at seq %" PRIu64 "\n", o->as, room_seq(lg->r));
		return CLI_USAGE;
	}
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	game_pack_view(lg->r, o->as, &pk);
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, buf.data, buf.size, &off) == MSGPACK_UNPACK_SUCCESS) {
		if (o->json) {
			cli_json_write(stdout, &u.data);
			putchar('\n');
		} else {
			print_view_text(lg->r, &u.data, o->as);
		}
		rc = CLI_OK;
	}
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/* Checks every record: its frame and CRC (the read), that it decodes,
 * and that it applies. Reports the first bad one with its offset. */
static int replay_verify(cli_log *lg)
{
	log_fold(lg, NULL, NULL);
	if (lg->failed) {
		printf("%s: BAD: record %zu at offset %zu: %s\n", lg->path, lg->bad.index + 1, lg->bad.offset, lg->bad.why);
		return CLI_BAD;
	}
	if (lg->c.tail != EVLOG_TAIL_CLEAN) {
		printf("%s: BAD: record %zu at offset %" PRIu64 ": %s (%" PRIu64 " bytes to the end are not a whole record)\n",
		       lg->path, lg->c.count + 1, lg->c.valid_end, evlog_tail_name(lg->c.tail), lg->c.cut);
		return CLI_BAD;
	}
	if (lg->c.count == 0) {
		printf("%s: BAD: no records\n", lg->path);
		return CLI_BAD;
	}
	printf("%s: ok: %zu records, seq 1..%" PRIu64 ", %zu bytes, every CRC right, every event applies\n", lg->path,
	       lg->c.count, room_seq(lg->r), lg->c.size);
	return CLI_OK;
}

static void replay_usage(FILE *out)
{
	fputs("usage: verrijk replay FILE.log            a timeline, one line per event\n"
	      "       verrijk replay FILE.log --json     every event, whole, as one JSON line each\n"
	      "       verrijk replay FILE.log --at SEQ [--as MEMBER] [--json]\n"
	      "                                          the View after event SEQ, as the public\n"
	      "                                          screen (or member MEMBER) saw it\n"
	      "       verrijk replay FILE.log --verify   check every record; exit 1 at the first bad one\n",
	      out);
}

static int parse_uint(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verify", no_argument, NULL, 'v' },
		{ "at", required_argument, NULL, 'a' },
		{ "as", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	replay_opts o;
	cli_log lg;
	int ch, rc;
	uint64_t v;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.json = true;
			break;
		case 'v':
			o.verify = true;
			break;
		case 'a':
			if (parse_uint(optarg, UINT64_MAX, &o.at) || o.at == 0) {
				fprintf(stderr, "verrijk replay: --at wants a seq from 1 on, not \"%s\"\n", optarg);
				return CLI_USAGE;
			}
			o.have_at = true;
			break;
		case 'm':
			if (parse_uint(optarg, GAME_MAX_MEMBERS, &v) || v == 0) {
				fprintf(stderr, "verrijk replay: --as wants a member id, not \"%s\"\n", optarg);
				return CLI_USAGE;
			}
			o.as = (uint32_t)v;
			break;
		case 'h':
			replay_usage(stdout);
			return CLI_OK;
		default:
			fprintf(stderr, "verrijk replay: unknown or incomplete option \"%s\"\n", argv[optind - 1]);
			replay_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind != argc - 1 || (o.verify && (o.json || o.have_at)) || (o.as && !o.have_at)) {
		replay_usage(stderr);
		return CLI_USAGE;
	}
	rc = log_open(&lg, argv[optind]);
	if (rc)
		return rc;
	if (o.verify) {
		rc = replay_verify(&lg);
	} else {
		rc = o.have_at ? replay_at(&lg, &o) : o.json ? replay_json(&lg) : replay_timeline(&lg);
		if (lg.failed)
			warn_failed(&lg);
		else
			warn_tail(&lg);
		if (rc == CLI_OK && (lg.failed || lg.c.tail != EVLOG_TAIL_CLEAN))
			rc = CLI_BAD;
	}
	log_close(&lg);
	if (fflush(stdout) && rc == CLI_OK)
		rc = CLI_BAD;
	return rc;
}

/* ---- export ---- */

/* The formats as export.c lists them, e.g. "--md|--json|--csv" (sep "|",
 * prefix "--") or "md,json,csv". */
static void print_formats(FILE *out, const char *prefix, const char *sep)
{
	const export_format *f;

	for (size_t i = 0; (f = export_format_at(i)) != NULL; i++)
		fprintf(out, "%s%s%s", i ? sep : "", prefix, f->extension);
}

static void export_usage(FILE *out)
{
	fputs("usage: verrijk export FILE.log ", out);
	print_formats(out, "--", "|");
	fputs(" [--round N]\n"
	      "       the summary of the last closed round (or round N), as the server's\n"
	      "       /api/rooms/CODE/summary.{", out);
	print_formats(out, "", ",");
	fputs("} would give it\n", out);
}

static int cmd_export(int argc, char **argv)
{
	/* One option per format of export.c's table (--EXTENSION), then these. */
	static const struct option fixed[] = {
		{ "round", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option *longopts;
	size_t n_formats = 0;
	int ch, rc, formats = 0, which = -1;
	const export_format *f = NULL;
	uint64_t round = 0;
	cli_log lg;
	char *out = NULL;
	size_t len = 0;

	while (export_format_at(n_formats))
		n_formats++;
	longopts = calloc(n_formats + sizeof(fixed) / sizeof(fixed[0]), sizeof(*longopts));
	if (!longopts) {
		fprintf(stderr, "verrijk: out of memory\n");
		return CLI_BAD;
	}
	for (size_t i = 0; i < n_formats; i++)
		longopts[i] = (struct option){ export_format_at(i)->extension, no_argument, NULL, 'f' };
	memcpy(longopts + n_formats, fixed, sizeof(fixed));
	optind = 1;
	opterr = 0;
	rc = -1;
	while (rc < 0 && (ch = getopt_long(argc, argv, ":", longopts, &which)) != -1) {
		switch (ch) {
		case 'f':
			f = export_format_at((size_t)which);
			formats++;
			break;
		case 'r':
			if (parse_uint(optarg, GAME_MAX_ROUNDS, &round) || round == 0) {
				fprintf(stderr, "verrijk export: --round wants a round from 1 to %d, not \"%s\"\n", GAME_MAX_ROUNDS,
				        optarg);
				rc = CLI_USAGE;
			}
			break;
		case 'h':
			export_usage(stdout);
			rc = CLI_OK;
			break;
		default:
			fprintf(stderr, "verrijk export: unknown or incomplete option \"%s\"\n", argv[optind - 1]);
			export_usage(stderr);
			rc = CLI_USAGE;
			break;
		}
	}
	free(longopts);
	if (rc >= 0)
		return rc;
	if (optind != argc - 1 || formats != 1) {
		export_usage(stderr);
		return CLI_USAGE;
	}
	rc = log_open(&lg, argv[optind]);
	if (rc)
		return rc;
	log_fold(&lg, NULL, NULL);
	if (lg.failed)
		warn_failed(&lg);
	else
		warn_tail(&lg);
	switch (room_exists(lg.r) ? export_round(lg.r, (uint32_t)round, f, EXPORT_LANG_ROOM, &out, &len, NULL) : 1) {
	case 0:
		rc = fwrite(out, 1, len, stdout) == len && fflush(stdout) == 0 ? CLI_OK : CLI_BAD;
		break;
	case 1:
		if (round)
			fprintf(stderr, "verrijk export: %s has no closed round %" PRIu64 "\n", lg.path, round);
		else
			fprintf(stderr, "verrijk export: %s has no closed round yet\n", lg.path);
		rc = CLI_BAD;
		break;
	default:
		fprintf(stderr, "verrijk export: the summary cannot be made (out of memory, or too large)\n");
		rc = CLI_BAD;
		break;
	}
	free(out);
	log_close(&lg);
	return rc;
}

int cli_main(int argc, char **argv)
{
	if (strcmp(argv[0], "replay") == 0)
		return cmd_replay(argc, argv);
	if (strcmp(argv[0], "export") == 0)
		return cmd_export(argc, argv);
	fprintf(stderr, "verrijk: unknown subcommand \"%s\"\n", argv[0]);
	return CLI_USAGE;
}
