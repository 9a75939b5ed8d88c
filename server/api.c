/* api.c - the HTTP API of PROTOCOL.md section 8: decks, summaries, the replay.
 *
 * Room URLs answer 404 alike for an unknown room and a wrong key, so that
 * codes cannot be probed; each such 404 counts against the address, and
 * past LIMITS_FAILS_MAX of late the address gets 429 with Retry-After. A room not in memory is read from its log here,
 * on the loop thread: logs are small, and this keeps one way of loading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "game/export.h"
#include "record.h"
#include "rooms.h"

#define API_CACHE_FOREVER "public, max-age=31536000, immutable"
#define API_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define API_NOT_FOUND "Not found: no room with this code, or the key does not fit it."

static json_t *text_json(const deck_text *t)
{
	return json_pack("{s:s, s:s}", "nl", t->nl, "en", t->en);
}

/* GET /api/decks: [{id, version, hash, title, cards, categories}] where
 * cards is a count and categories lists {id, title, color, cards}. */
static void reply_deck_list(rooms *rs, net_http_response *res)
{
	json_t *list = json_array();
	char *body;

	for (uint32_t i = 0; i < rooms_deck_count(rs); i++) {
		const deck *d = rooms_deck_at(rs, i);
		json_t *cats = json_array();

		for (uint32_t c = 0; c < d->n_categories; c++) {
			uint32_t n = 0;

			for (uint32_t k = 0; k < d->n_cards; k++)
				n += d->cards[k].category == c;
			json_array_append_new(cats, json_pack("{s:s, s:o, s:s, s:i}", "id", d->categories[c].id,
			                                      "title", text_json(&d->categories[c].title),
			                                      "color", d->categories[c].color, "cards", (json_int_t)n));
		}
		json_array_append_new(list, json_pack("{s:s, s:i, s:s, s:o, s:i, s:o}", "id", d->id,
		                                      "version", (json_int_t)d->version, "hash", d->hash,
		                                      "title", text_json(&d->title), "cards", (json_int_t)d->n_cards,
		                                      "categories", cats));
	}
	body = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	if (body)
		net_http_reply(res, 200, "application/json", body, strlen(body));
	free(body);
	res->cache_control = "no-cache";
}

static void on_decks(void *ud, const net_http_request *req, net_http_response *res)
{
	rooms *rs = ud;
	const char *hash;
	const deck *d;
	char *json = NULL;
	size_t len = 0;

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

/* The room of /api/rooms/CODE/..., when the request proves it may see it:
 * ?key=REPLAY_KEY, or the facilitator's token as a Bearer header. */
static const room *authorised_room(rooms *rs, const net_http_request *req, const char *code)
{
	const room *r = rooms_find(rs, code);
	char key[64], auth[128];
	int n;

	if (!r)
		return NULL;
	n = net_http_query(req, "key", key, sizeof(key));
	if (n > 0 && room_check_replay_key(r, key, (size_t)n))
		return r;
	n = net_http_authorization(req, auth, sizeof(auth));
	if (n > 7 && strncmp(auth, "Bearer ", 7) == 0 && room_check_facilitator_token(r, auth + 7, (size_t)n - 7))
		return r;
	return NULL;
}

static void reply_summary(const room *r, const net_http_request *req, export_format f, net_http_response *res)
{
	char round_text[16];
	unsigned long round = 0;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (net_http_query(req, "round", round_text, sizeof(round_text)) > 0) {
		char *end;

		round = strtoul(round_text, &end, 10);
		if (*end || round == 0 || round > GAME_MAX_ROUNDS) {
			net_http_reply_text(res, 400, "round must be a round number (1, 2, ...).");
			return;
		}
	}
	rc = export_round(r, (uint32_t)round, f, &out, &len);
	if (rc == 1) {
		net_http_reply_text(res, 404, "This round has not been closed.");
		return;
	}
	if (rc) {
		net_http_reply_text(res, 500, "The summary could not be rendered.");
		return;
	}
	net_http_reply(res, 200, export_content_type(f), out, len);
	/* Exports follow the state (a note hidden later is gone from them). */
	res->cache_control = "no-store";
	free(out);
}

/* The replay: the log's events up to the last `closed`, filtered as the
 * replay column of PROTOCOL.md section 5, as one MessagePack array. */
static void reply_log(rooms *rs, const char *code, net_http_response *res)
{
	char path[EVLOG_DIR_MAX + 64], err[256];
	struct evlog_contents c;
	game_replay *rp = NULL;
	msgpack_sbuffer out;
	msgpack_packer pk;
	size_t last_closed = 0, i;

	msgpack_sbuffer_init(&out);
	if (rooms_log_path(rs, code, path, sizeof(path)) || evlog_read_file(path, false, &c)) {
		net_http_reply_text(res, 404, API_NOT_FOUND);
		return;
	}
	rp = game_replay_new();
	if (!rp)
		goto fail;
	/* First pass: which notes were ever hidden, and where the last round
	 * closed (a round still being played is never published). */
	for (i = 0; i < c.count; i++) {
		uint32_t len;
		const uint8_t *p = evlog_contents_payload(&c, i, &len);
		game_event e;

		if (record_read_event(p, len, &e, err, sizeof(err)))
			break;
		game_replay_scan(rp, &e);
		if (e.kind == GAME_EV_CLOSED)
			last_closed = i + 1;
		game_event_clear(&e);
	}
	msgpack_packer_init(&pk, &out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, last_closed);
	for (i = 0; i < last_closed; i++) {
		uint32_t len;
		const uint8_t *p = evlog_contents_payload(&c, i, &len);
		game_event e;

		if (record_read_event(p, len, &e, err, sizeof(err)))
			goto fail;
		game_replay_pack(rp, &e, &pk);
		game_event_clear(&e);
	}
	net_http_reply(res, 200, "application/msgpack", out.data, out.size);
	res->cache_control = "no-store";
	goto out;
fail:
	net_http_reply_text(res, 500, "The session log could not be read.");
out:
	game_replay_free(rp);
	evlog_contents_free(&c);
	msgpack_sbuffer_destroy(&out);
}

/* /api/rooms/CODE/summary.json|summary.md|summary.csv|log */
static void on_rooms(void *ud, const net_http_request *req, net_http_response *res)
{
	rooms *rs = ud;
	const char *rest = req->path + strlen("/api/rooms");
	char code[VP_ROOM_LEN + 1], retry[24];
	uint64_t refused_ms;
	const char *what;
	const room *r;
	int f = -1;

	refused_ms = net_http_refused_ms(req);
	if (refused_ms) {
		/* Too many wrong codes or keys from this address of late: not
		 * even looked at, so a prober learns nothing (PROTOCOL.md 8). */
		snprintf(retry, sizeof(retry), "%llu", (unsigned long long)((refused_ms + 999) / 1000));
		net_http_reply_text(res, 429, "Too many failed attempts from your address; try again later.");
		net_http_header(res, "retry-after", retry);
		res->cache_control = "no-store";
		return;
	}
	if (strlen(rest) < VP_ROOM_LEN + 3 || rest[0] != '/' || rest[VP_ROOM_LEN + 1] != '/') {
		net_http_failed(req);
		net_http_reply_text(res, 404, API_NOT_FOUND);
		return;
	}
	memcpy(code, rest + 1, VP_ROOM_LEN);
	code[VP_ROOM_LEN] = '\0';
	/* A code as PROTOCOL.md section 2 spells it, nothing else: lws has
	 * decoded percent escapes already, so an escaped `%` (or any other
	 * character) shows here and is refused like an unknown room. */
	if (strspn(code, API_CODE_ALPHABET) != VP_ROOM_LEN) {
		net_http_failed(req);
		net_http_reply_text(res, 404, API_NOT_FOUND);
		return;
	}
	what = rest + VP_ROOM_LEN + 2;
	if (strcmp(what, "summary.json") == 0)
		f = EXPORT_JSON;
	else if (strcmp(what, "summary.md") == 0)
		f = EXPORT_MD;
	else if (strcmp(what, "summary.csv") == 0)
		f = EXPORT_CSV;
	else if (strcmp(what, "log") != 0) {
		net_http_reply_text(res, 404, "No such export.");
		return;
	}
	r = authorised_room(rs, req, code);
	if (!r) {
		net_http_failed(req);
		net_http_reply_text(res, 404, API_NOT_FOUND);
		return;
	}
	if (f < 0)
		reply_log(rs, code, res);
	else
		reply_summary(r, req, (export_format)f, res);
}

int api_routes(net_server *net, rooms *rs)
{
	if (net_server_route(net, "/api/decks", true, on_decks, rs) ||
	    net_server_route(net, "/api/rooms", true, on_rooms, rs))
		return -1;
	return 0;
}
