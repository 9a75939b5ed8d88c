/* rooms.c - the rooms this server holds: intents through the game core, the log before anyone sees, filtered fan-out.
 *
 * Every input of a room (a client's intent, a device gone past its grace)
 * goes through one queue. The room decides one input at a time: decide ->
 * append the events to the log -> once the log has them, apply them and
 * send each member its filtered copy, then the sender's ok or welcome. So
 * an event is on disk before anyone sees it, and every decision sees the
 * state its logged predecessors made. Rooms are independent: while one
 * waits for the disk, the others go on, and the log group-commits them.
 *
 * A room not in memory is read from its log on the thread pool when an
 * input arrives for it (the input waits in its queue meanwhile), and so
 * are the rooms brought back at start. The HTTP API reads logs on its
 * own and never makes a room live (api.c). A sweep sends rooms that have had
 * no device attached for the idle time out of memory (never one deciding,
 * logging or with inputs waiting: its state is then exactly its log's),
 * and deletes logs that saw no write for the retention time. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "rooms/rooms.h"

#include "ops/metrics.h"
#include "ops/ops_log.h"
#include "log/record.h"
#include "game/deck.h"

#define ROOMS_BUCKETS 4096

typedef struct live_room live_room;

/* One member's device binding. Allocated when first needed, freed with its
 * room (after its timer handle closed). */
typedef struct device {
	rooms *rs;
	live_room *lr;
	uint32_t member;
	net_conn *conn;       /* the device attached now, or NULL */
	uv_timer_t grace;     /* runs while the device is gone, until offline */
	/* The current decision showed this member a version of an event of
	 * its own: its whole stream is in rs->own[member]. */
	bool own;
} device;

/* One input waiting for its turn. A client's message is kept as its bytes
 * and decoded again when its turn comes (vp_intent points into them). */
typedef struct pending {
	struct pending *next;
	game_input_kind kind;
	net_conn *conn;       /* the sender; NULL once it closed */
	uint32_t player;      /* device inputs */
	/* An intent's type and id, from its decoding on arrival: answering
	 * it needs no decoding again. */
	vp_type t;
	bool has_id;
	uint64_t id;
	size_t len;
	uint8_t frame[];
} pending;

/* One decided input of the batch being logged. Its events are applied to
 * the room already; they are logged, and sent, with the whole batch. */
typedef struct decision {
	pending *p;
	game_result res;
	uint32_t n_ok;        /* events [0, n_ok) fit the state and are applied */
} decision;

/* Decisions logged as one unit, at most: a room's group commit. */
#define ROOMS_BATCH_MAX 32

struct live_room {
	live_room *next;      /* in its hash bucket */
	rooms *rs;
	char code[VP_ROOM_LEN + 1];
	room *r;
	device *devices[GAME_MAX_MEMBERS + 1];
	pending *head, *tail;
	unsigned n_pending;
	/* The batch being logged: inputs decided one after the other, each
	 * against the state the ones before it left, logged as one unit and
	 * sent together once the log has them. While it is logged, the
	 * room's state runs ahead of its log (and of what anyone saw); if
	 * the log refuses the batch, the room is read back from its log. */
	bool busy;
	bool purging;
	bool loading;         /* its log is being read (evlog_load) */
	decision *batch;
	uint32_t n_batch;
	int write_error;      /* the first failure */
	/* Bytes of its log file: what the load found, plus every batch
	 * stored since (batch_bytes: the one being logged). */
	uint64_t log_bytes;
	uint64_t batch_bytes;
	bool recovering;      /* loaded at start: kept only if open and recent */
	/* Loop time (uv_now) since when no device is attached; 0 while one
	 * is. The sweep sends the room out of memory once it is old enough. */
	uint64_t idle_since;
};

/* A room that left memory (or was read at start and not kept): what the
 * HTTP API needs to turn a wrong key or token away without reading its
 * log. Reading and applying a log costs about ten times what an unknown
 * code costs, and that difference would tell a prober that a code exists.
 * About 90 bytes a room. */
typedef struct shelf {
	struct shelf *next;
	char code[VP_ROOM_LEN + 1];
	room_access access;
} shelf;

struct rooms {
	uv_loop_t *loop;
	net_server *net;
	struct evlog *log;
	char rooms_dir[EVLOG_DIR_MAX];
	uint32_t grace_ms;
	bool stopping;
	deck *decks[ROOMS_DECKS_MAX];
	game_env env;
	live_room *buckets[ROOMS_BUCKETS];
	shelf *shelves[ROOMS_BUCKETS]; /* rooms only on disk: their keys */
	unsigned n_live;
	unsigned max_live;           /* rooms_config.max_rooms */
	uint64_t log_max;            /* rooms_config.max_log_bytes */
	/* Start-up recovery: loads in flight, rooms kept, when it began. */
	unsigned recover_loads;
	unsigned recover_back;
	uint64_t recover_window_ms;
	uint64_t recover_t0;
	uint64_t idle_ms;
	uint64_t retain_ms;   /* 0: logs are kept for ever */
	uint64_t next_retain; /* loop time of the next retention check */
	uv_timer_t sweep;     /* idle rooms out of memory; retention */
	bool sweep_started;
	unsigned closing_handles;
	bool finishing;       /* the log is closed: rs goes with the last handle */
	void (*closed)(void *ud);
	void *closed_ud;
	/* Scratch for the decision being sent (one at a time: the loop has
	 * one thread). `pub` holds the public version of each event so far,
	 * encoded once for everyone who sees no version of their own;
	 * own[id] the whole stream of a member who does. Kept between
	 * decisions, so sending allocates nothing once they have grown. */
	msgpack_sbuffer pub;
	msgpack_sbuffer body;
	msgpack_sbuffer logged;  /* a batch's records, until evlog copied them */
	msgpack_sbuffer own[GAME_MAX_MEMBERS + 1];
};

static void live_pump(live_room *lr);
static void live_refuse_pending(live_room *lr, vp_code code, const char *msg);

/* ---- small helpers ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Bytes of the OS CSPRNG fetched at once and handed out in order, each
 * byte once: one getrandom(2) per 128 decisions rather than one each. The
 * process never forks, so no copy of the pool can hand them out twice. */
#define ROOMS_ENTROPY_POOL 4096

/* Fresh bytes from the OS CSPRNG. Returns 0 or -1. */
static int fill_entropy(uint8_t *buf, size_t len)
{
	static uint8_t pool[ROOMS_ENTROPY_POOL];
	static size_t used = ROOMS_ENTROPY_POOL;

	while (len > 0) {
		size_t n;

		if (used == ROOMS_ENTROPY_POOL) {
			/* Reads past 256 bytes may come back short (a signal). */
			for (size_t have = 0; have < sizeof(pool);) {
				ssize_t got = getrandom(pool + have, sizeof(pool) - have, 0);

				if (got < 0 && errno != EINTR)
					return -1;
				if (got > 0)
					have += (size_t)got;
			}
			used = 0;
		}
		n = ROOMS_ENTROPY_POOL - used < len ? ROOMS_ENTROPY_POOL - used : len;
		memcpy(buf, pool + used, n);
		/* Handed out: not kept where a later bug could leak it. */
		memset(pool + used, 0, n);
		used += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static unsigned bucket_of(const char *code)
{
	uint32_t h = 2166136261u;

	for (; *code; code++)
		h = (h ^ (uint8_t)*code) * 16777619u;
	return h % ROOMS_BUCKETS;
}

/* A NUL-terminated code spelled as a room code (protocol.h). */
static bool code_valid(const char *code)
{
	return vp_room_code_valid(code, strlen(code));
}

/* ---- decks ---- */

static int json_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Reads a whole file (up to max bytes) into a malloc'd buffer. */
static char *read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (!buf)
		goto out;
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		free(buf);
		buf = NULL;
		errno = n > max ? EFBIG : EIO;
		goto out;
	}
	buf[n] = '\0';
	*len = n;
out:
	fclose(f);
	return buf;
}

/* Loads every *.json of dir. A deck that fails validation is refused with
 * a message naming the file and the field; the others are still offered. */
static int load_decks(rooms *rs, const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, json_file, alphasort);

	if (n < 0) {
		ops_log(OPS_ERROR, NULL, "cannot read the decks directory %s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096], err[512];
		size_t len = 0;
		char *json;
		deck *d = NULL;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		json = read_file(path, DECK_SOURCE_MAX, &len);
		if (!json) {
			ops_log(OPS_WARN, NULL, "deck %s refused: %s", path, strerror(errno));
			continue;
		}
		if (deck_parse_json(json, len, path, &d, err, sizeof(err))) {
			ops_log(OPS_WARN, NULL, "deck refused: %s", err);
		} else if (rs->env.n_decks == ROOMS_DECKS_MAX) {
			ops_log(OPS_WARN, NULL, "deck %s refused: more than %d decks", path, ROOMS_DECKS_MAX);
			deck_unref(d);
		} else {
			rs->decks[rs->env.n_decks++] = d;
		}
		free(json);
	}
	free(names);
	if (rs->env.n_decks == 0)
		ops_log(OPS_WARN, NULL, "no deck in %s; nobody can create a room", dir);
	return 0;
}

/* ---- live rooms ---- */

static live_room *live_lookup(const rooms *rs, const char *code)
{
	live_room *lr = rs->buckets[bucket_of(code)];

	while (lr && strcmp(lr->code, code) != 0)
		lr = lr->next;
	return lr;
}

static shelf **shelf_find(rooms *rs, const char *code)
{
	shelf **pp = &rs->shelves[bucket_of(code)];

	while (*pp && memcmp((*pp)->code, code, VP_ROOM_LEN) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* A room in memory (or gone) checks keys itself: its shelf goes. */
static void shelf_drop(rooms *rs, const char *code)
{
	shelf **pp = shelf_find(rs, code), *s = *pp;

	if (s) {
		*pp = s->next;
		free(s);
	}
}

/* lr leaves memory and its log stays: remember how to check its keys. Out
 * of memory, the room simply loads from its log when asked, as before. */
static void shelf_put(rooms *rs, const live_room *lr)
{
	shelf *s = *shelf_find(rs, lr->code);

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		memcpy(s->code, lr->code, VP_ROOM_LEN + 1);
		s->next = rs->shelves[bucket_of(lr->code)];
		rs->shelves[bucket_of(lr->code)] = s;
	}
	room_access_of(lr->r, &s->access);
}

bool rooms_shelf_refuses(rooms *rs, const char *code, const char *key, size_t key_len, const char *token,
                         size_t token_len)
{
	shelf *s;

	if (!code_valid(code))
		return false;
	s = *shelf_find(rs, code);
	return s && !room_access_check(&s->access, key, key_len, token, token_len);
}

static live_room *live_new(rooms *rs, const char *code)
{
	live_room *lr = calloc(1, sizeof(*lr));
	unsigned b = bucket_of(code);

	if (!lr)
		return NULL;
	lr->r = room_new();
	if (!lr->r) {
		free(lr);
		return NULL;
	}
	lr->rs = rs;
	memcpy(lr->code, code, VP_ROOM_LEN + 1);
	shelf_drop(rs, code);
	lr->next = rs->buckets[b];
	rs->buckets[b] = lr;
	rs->n_live++;
	lr->idle_since = uv_now(rs->loop);
	return lr;
}

static void rooms_finish(rooms *rs)
{
	void (*done)(void *) = rs->closed;
	void *ud = rs->closed_ud;

	msgpack_sbuffer_destroy(&rs->pub);
	msgpack_sbuffer_destroy(&rs->body);
	msgpack_sbuffer_destroy(&rs->logged);
	for (uint32_t i = 0; i <= GAME_MAX_MEMBERS; i++)
		msgpack_sbuffer_destroy(&rs->own[i]);
	for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
		while (rs->shelves[b]) {
			shelf *s = rs->shelves[b];

			rs->shelves[b] = s->next;
			free(s);
		}
	free(rs);
	if (done)
		done(ud);
}

static void device_closed(uv_handle_t *h)
{
	device *l = h->data;
	rooms *rs = l->rs;

	free(l);
	if (--rs->closing_handles == 0 && rs->finishing)
		rooms_finish(rs);
}

/* Unhooks lr from the registry and frees it. Its members' connections must
 * be unbound already, and no decision may be in flight. */
static void live_free(live_room *lr)
{
	rooms *rs = lr->rs;
	live_room **pp = &rs->buckets[bucket_of(lr->code)];

	while (*pp && *pp != lr)
		pp = &(*pp)->next;
	if (*pp)
		*pp = lr->next;
	rs->n_live--;
	if (room_exists(lr->r) && !lr->purging)
		shelf_put(rs, lr);
	while (lr->head) {
		pending *p = lr->head;

		lr->head = p->next;
		free(p);
	}
	for (uint32_t i = 0; i <= GAME_MAX_MEMBERS; i++) {
		device *l = lr->devices[i];

		if (!l)
			continue;
		if (l->conn)
			net_conn_set_user(l->conn, NULL);
		rs->closing_handles++;
		uv_close((uv_handle_t *)&l->grace, device_closed);
	}
	room_free(lr->r);
	free(lr);
}

/* True when some member of lr has a device attached. */
static bool live_attached(const live_room *lr)
{
	for (uint32_t i = 1; i <= GAME_MAX_MEMBERS; i++)
		if (lr->devices[i] && lr->devices[i]->conn)
			return true;
	return false;
}

/* True when lr may leave memory: nothing attached, nothing being decided
 * or logged, nothing waiting. Its state is then exactly its log's. */
static bool live_quiet(const live_room *lr)
{
	return !lr->busy && !lr->purging && !lr->n_batch && !lr->head && !live_attached(lr);
}

static device *device_get(live_room *lr, uint32_t member)
{
	device *l;

	if (member == 0 || member > GAME_MAX_MEMBERS)
		return NULL;
	if (lr->devices[member])
		return lr->devices[member];
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->rs = lr->rs;
	l->lr = lr;
	l->member = member;
	uv_timer_init(lr->rs->loop, &l->grace);
	l->grace.data = l;
	lr->devices[member] = l;
	return l;
}

static void detach(device *l)
{
	if (l->conn)
		net_conn_set_user(l->conn, NULL);
	l->conn = NULL;
}

static void on_grace(uv_timer_t *t);

/* The device of l is gone: after the grace period the member goes offline. */
static void start_grace(device *l)
{
	if (!l->lr->rs->stopping)
		uv_timer_start(&l->grace, on_grace, l->lr->rs->grace_ms, 0);
}

static void attach(device *l, net_conn *c)
{
	device *prev = net_conn_get_user(c);

	if (prev == l)
		return;
	if (prev) { /* this connection resumes as another member */
		detach(prev);
		start_grace(prev);
	}
	if (l->conn && l->conn != c) {
		net_conn_set_user(l->conn, NULL);
		net_conn_close(l->conn, NET_CLOSE_REPLACED, "resumed on another device");
	}
	l->conn = c;
	net_conn_set_user(c, l);
	uv_timer_stop(&l->grace);
}

static int enqueue(live_room *lr, game_input_kind kind, net_conn *c, uint32_t player,
                   const vp_intent *in, const uint8_t *frame, size_t len)
{
	pending *p;

	if (lr->n_pending >= ROOMS_PENDING_MAX)
		return -1;
	p = malloc(sizeof(*p) + len);
	if (!p)
		return -1;
	p->next = NULL;
	p->kind = kind;
	p->conn = c;
	p->player = player;
	p->t = in ? in->t : VP_T_PING;
	p->has_id = in && in->has_id;
	p->id = in ? in->id : 0;
	p->len = len;
	if (len)
		memcpy(p->frame, frame, len);
	if (lr->tail)
		lr->tail->next = p;
	else
		lr->head = p;
	lr->tail = p;
	lr->n_pending++;
	return 0;
}

static void on_grace(uv_timer_t *t)
{
	device *l = t->data;

	if (l->conn || enqueue(l->lr, GAME_INPUT_OFFLINE, NULL, l->member, NULL, NULL, 0))
		return;
	live_pump(l->lr);
}

/* Sends c a lone error (the intent changed nothing), and counts it
 * in verrijk_intents_total. */
static void reply_error(net_conn *c, const vp_intent *in, vp_code code, const char *msg)
{
	if (in)
		metrics_intent(vp_type_name(in->t), vp_code_name(code));
	if (c)
		net_conn_send_error(c, in && in->has_id, in ? in->id : 0, code, msg);
}

/* reply_error for a queued input: an intent is answered, and counted; a
 * device input has nobody to answer. */
static void reply_pending_error(const pending *p, vp_code code, const char *msg)
{
	if (p->kind != GAME_INPUT_INTENT)
		return;
	metrics_intent(vp_type_name(p->t), vp_code_name(code));
	if (p->conn)
		net_conn_send_error(p->conn, p->has_id, p->id, code, msg);
}

/* True when member l gets the events of the current decision: attached,
 * and not the sender who gets a welcome instead (skip). */
static bool gets_events(const device *l, const net_conn *skip)
{
	return l && l->conn && l->conn != skip;
}

/* Sends l what the current decision has for it so far: its own stream,
 * or the public one. */
static void send_stream(live_room *lr, device *l)
{
	rooms *rs = lr->rs;

	if (l->own) {
		net_conn_send(l->conn, (const uint8_t *)rs->own[l->member].data, rs->own[l->member].size);
		msgpack_sbuffer_clear(&rs->own[l->member]);
		l->own = false;
	} else if (rs->pub.size) {
		net_conn_send(l->conn, (const uint8_t *)rs->pub.data, rs->pub.size);
	}
}

/* Sends every member its stream of the decision: the public one as one
 * shared message (copied once, queued by reference), a stream of a
 * member's own as its bytes. */
static void flush_devices(live_room *lr, const net_conn *skip)
{
	rooms *rs = lr->rs;
	uint32_t n = room_members(lr->r);
	net_buf *b = NULL;

	for (uint32_t id = 1; id <= n && id <= GAME_MAX_MEMBERS; id++) {
		device *l = lr->devices[id];

		if (!gets_events(l, skip))
			continue;
		if (l->own || !rs->pub.size) {
			send_stream(lr, l);
			continue;
		}
		if (!b)
			b = net_buf_new((const uint8_t *)rs->pub.data, rs->pub.size);
		if (b)
			net_conn_send_buf(l->conn, b);
		else
			send_stream(lr, l);
	}
	net_buf_unref(b);
	msgpack_sbuffer_clear(&rs->pub);
}

/* Appends {t:"ev", seq, at, e} as `recipient` sees e (0: the public
 * version) to out. */
static void pack_ev(live_room *lr, const game_event *e, uint32_t recipient, msgpack_sbuffer *out)
{
	msgpack_sbuffer *body = &lr->rs->body;
	msgpack_packer pk;

	msgpack_sbuffer_clear(body);
	msgpack_packer_init(&pk, body, msgpack_sbuffer_write);
	game_pack_event_for(lr->r, e, recipient, &pk);
	vp_pack_ev(out, e->seq, e->at, (const uint8_t *)body->data, body->size);
}

/* Adds event e to the decision's streams: its public version once, and a
 * version of their own for the members game_event_audience names (whose
 * stream then splits off from the public one). */
static void fan_out(live_room *lr, const game_event *e, const net_conn *skip)
{
	rooms *rs = lr->rs;
	size_t start = rs->pub.size;
	uint32_t n = room_members(lr->r);

	pack_ev(lr, e, 0, &rs->pub);
	for (uint32_t id = 1; id <= n && id <= GAME_MAX_MEMBERS; id++) {
		device *l = lr->devices[id];
		msgpack_sbuffer *own = &rs->own[id];

		if (!gets_events(l, skip))
			continue;
		if (game_event_audience(lr->r, e, id) == 0) {
			if (l->own)
				msgpack_sbuffer_write(own, rs->pub.data + start, rs->pub.size - start);
			continue;
		}
		if (!l->own) {
			msgpack_sbuffer_clear(own);
			if (start) /* an empty sbuffer has no data pointer yet */
				msgpack_sbuffer_write(own, rs->pub.data, start);
			l->own = true;
		}
		pack_ev(lr, e, id, own);
	}
}

static void send_welcome(live_room *lr, net_conn *c, const pending *p, uint32_t you, const char *token)
{
	msgpack_sbuffer view, out;
	msgpack_packer pk;
	vp_role role = VP_ROLE_PLAYER;
	bool seated = false;
	const char *name = room_member_name(lr->r, you);
	vp_str sname = { name, (uint32_t)strlen(name) };
	vp_str stoken = { token, (uint32_t)strlen(token) };

	room_member_role(lr->r, you, &role, &seated);
	msgpack_sbuffer_init(&view);
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&pk, &view, msgpack_sbuffer_write);
	game_pack_view(lr->r, you, &pk);
	if (vp_pack_welcome(&out, p->has_id, p->id, you, sname, role, stoken,
	                    (const uint8_t *)view.data, view.size) == 0)
		net_conn_send(c, (const uint8_t *)out.data, out.size);
	msgpack_sbuffer_destroy(&view);
	msgpack_sbuffer_destroy(&out);
}

static void on_deleted(void *ud, int status)
{
	live_room *lr = ud;

	if (status)
		ops_log(OPS_WARN, lr->code, "deleting its log failed: %s", uv_strerror(status));
	/* Inputs that queued up while the room went away find no room. */
	for (pending *p = lr->head; p; p = p->next)
		if (p->conn)
			net_conn_send_error(p->conn, false, 0, VP_NO_ROOM, "This room has been deleted.");
	live_free(lr);
}

/* Decodes p's message again (it was valid when it arrived). */
static bool pending_intent(const pending *p, vp_intent *in)
{
	const char *why;

	return vp_decode(p->frame, p->len, in, &why) == VP_OK;
}

/* A decision after which nothing more joins its batch: the welcome's View
 * must be the state right after it, and a kick or purge closes
 * connections. */
static bool ends_batch(const game_result *res)
{
	return res->you || res->purge || res->kicked;
}

/* The batch is in the log: let every member see its events, answer each
 * sender, then act on what the last one asked. */
static void live_commit(live_room *lr)
{
	decision *last = &lr->batch[lr->n_batch - 1];
	net_conn *skip = last->res.you ? last->p->conn : NULL;

	for (uint32_t k = 0; k < lr->n_batch; k++) {
		decision *d = &lr->batch[k];

		for (uint32_t i = 0; i < d->n_ok; i++) {
			const game_event *e = &d->res.events[i];

			fan_out(lr, e, skip);
			if (e->kind == GAME_EV_CREATED) {
				metrics_room_created();
				ops_log(OPS_INFO, lr->code, "created (deck %s)", e->u.created.deck->id);
			} else if (e->kind == GAME_EV_CLOSED) {
				ops_log(OPS_INFO, lr->code, "round %u closed", (unsigned)e->u.closed.round);
			}
			if (e->kind == GAME_EV_LEFT) {
				device *l = lr->devices[e->u.left.player];

				if (l && l->conn) {
					/* Send what the member has, then let it go. */
					if (gets_events(l, skip))
						send_stream(lr, l);
					if (e->u.left.kicked)
						net_conn_close(l->conn, NET_CLOSE_KICKED, "removed by the facilitator");
					detach(l);
				}
				if (l)
					uv_timer_stop(&l->grace);
			}
		}
		metrics_events(d->n_ok);
	}
	flush_devices(lr, skip);

	for (uint32_t k = 0; k < lr->n_batch; k++) {
		decision *d = &lr->batch[k];
		const pending *p = d->p;
		net_conn *sender = p->conn;
		bool intent = p->kind == GAME_INPUT_INTENT;

		if (d->res.you && sender) {
			device *l = device_get(lr, d->res.you);

			if (l) {
				attach(l, sender);
				send_welcome(lr, sender, p, d->res.you, d->res.token);
			} else {
				reply_pending_error(p, VP_SERVER_BUSY, "The server is out of memory.");
				continue;
			}
		} else if (sender && intent && p->has_id) {
			msgpack_sbuffer *ok = &lr->rs->body;

			msgpack_sbuffer_clear(ok);
			if (vp_pack_ok(ok, p->id) == 0)
				net_conn_send(sender, (const uint8_t *)ok->data, ok->size);
		}
		if (intent)
			metrics_intent(vp_type_name(p->t), "ok");
	}

	if (last->res.purge) {
		ops_log(OPS_INFO, lr->code, "purged: the room and its log are deleted");
		lr->purging = true;
		for (uint32_t i = 1; i <= GAME_MAX_MEMBERS; i++) {
			device *l = lr->devices[i];

			if (l && l->conn) {
				net_conn_close(l->conn, NET_CLOSE_KICKED, "the session was deleted");
				detach(l);
			}
		}
	}
}

static void live_done(live_room *lr)
{
	for (uint32_t k = 0; k < lr->n_batch; k++) {
		game_result_free(&lr->batch[k].res);
		free(lr->batch[k].p);
	}
	free(lr->batch);
	lr->batch = NULL;
	lr->n_batch = 0;
	lr->busy = false;
}

static void live_reload(live_room *lr);

/* The log has answered for the batch (stored all of it, or none of it:
 * evlog_appendv). */
static void live_settle(live_room *lr)
{
	rooms *rs = lr->rs;

	if (lr->write_error) {
		/* The log itself says once that writes fail and once that they
		 * succeed again (rooms_log_warn): not again here, per room. */
		for (uint32_t k = 0; k < lr->n_batch; k++)
			reply_pending_error(lr->batch[k].p, VP_SERVER_BUSY,
			                    "The server cannot save this right now; try again in a moment.");
		lr->write_error = 0;
		live_done(lr);
		live_reload(lr);
		return;
	}
	lr->log_bytes += lr->batch_bytes;
	live_commit(lr);
	live_done(lr);
	if (lr->purging) {
		lr->busy = true; /* nothing more is decided in this room */
		if (evlog_delete(rs->log, lr->code, on_deleted, lr))
			on_deleted(lr, 0);
		return;
	}
	live_pump(lr);
}

static void on_logged(void *ud, int status)
{
	live_room *lr = ud;

	lr->write_error = status;
	live_settle(lr);
}

enum decided { DECIDED, DROPPED, NOT_NOW };

#define ROOMS_LOG_FULL_MSG "This session has reached its size limit: the facilitator can still close the round, " \
	"and its summary and replay stay available."

/* Whether the room's log may still grow by what `in` decides. Below the
 * bound (--max-log-mb) anything goes. Past it, only what lets a session
 * be finished: close, purge, leave, and resume (people must get back in
 * to close), so that nothing acknowledged is ever stranded. Those still
 * write (close its summary, resume and a device gone their presence), so
 * past ROOMS_LOG_HARD (a quarter more) only close, purge and the
 * facilitator's own resume remain: the log stays bounded. A create
 * writes nothing on an existing room (room_taken). */
static bool log_takes(const live_room *lr, const vp_intent *in)
{
	uint64_t max = lr->rs->log_max;

	if (lr->log_bytes < max || in->t == VP_T_CLOSE || in->t == VP_T_PURGE || in->t == VP_T_CREATE)
		return true;
	if (lr->log_bytes < ROOMS_LOG_HARD(max))
		return in->t == VP_T_LEAVE || in->t == VP_T_RESUME;
	return in->t == VP_T_RESUME && room_check_facilitator_token(lr->r, in->token.ptr, in->token.len);
}

/* The result of a decision that may follow another in its batch: every
 * event filtered right against the state after the whole batch. */
static bool joins_batch(const game_result *res)
{
	for (uint32_t i = 0; i < res->n_events; i++)
		if (!game_event_filter_neutral(&res->events[i]))
			return false;
	return true;
}

/* Decides p into d and applies its events to the room. The first input of
 * a batch may be anything, and an error is answered at once (DROPPED, p is
 * freed). A later one must be an intent that succeeds with events that
 * join the batch; else it waits for the next batch, undecided (NOT_NOW,
 * p is the caller's; deciding changed nothing), so that answers keep
 * their order and no error rests on a state the log may still refuse. */
static enum decided live_decide(live_room *lr, pending *p, decision *d, bool first)
{
	rooms *rs = lr->rs;
	game_input gi;
	vp_intent in;
	device *l;
	vp_code rc;

	memset(&gi, 0, sizeof(gi));
	gi.kind = p->kind;
	gi.player = p->player;
	gi.now_ms = now_ms();
	if (p->kind == GAME_INPUT_INTENT) {
		if (!p->conn || !pending_intent(p, &in))
			goto drop;
		if (!log_takes(lr, &in)) {
			if (!first)
				return NOT_NOW;
			reply_error(p->conn, &in, VP_ROOM_FULL, ROOMS_LOG_FULL_MSG);
			goto drop;
		}
		gi.intent = &in;
		l = net_conn_get_user(p->conn);
		gi.sender = l && l->lr == lr ? l->member : 0;
	} else if (!first) {
		return NOT_NOW;
	} else if (lr->devices[p->player] && lr->devices[p->player]->conn) {
		goto drop; /* the device came back while this waited */
	}
	if (fill_entropy(gi.entropy, sizeof(gi.entropy))) {
		if (!first)
			return NOT_NOW;
		reply_error(p->conn, gi.intent, VP_SERVER_BUSY, "The server has no randomness right now.");
		goto drop;
	}

	if (p->kind == GAME_INPUT_INTENT && p->t == VP_T_CREATE && !room_exists(lr->r) &&
	    rs->n_live > rs->max_live) {
		/* A new room would pass --max-rooms (this one counts already). */
		if (!first)
			return NOT_NOW;
		reply_error(p->conn, gi.intent, VP_SERVER_BUSY, "This server holds as many rooms as it can.");
		goto drop;
	}
	memset(d, 0, sizeof(*d));
	rc = game_decide(lr->r, &rs->env, &gi, &d->res);
	if (rc != VP_OK) {
		if (first && p->kind == GAME_INPUT_INTENT)
			reply_error(p->conn, &in, rc, d->res.msg ? d->res.msg : vp_code_name(rc));
		game_result_free(&d->res);
		if (!first)
			return NOT_NOW;
		goto drop;
	}
	if (!first && !joins_batch(&d->res)) {
		game_result_free(&d->res);
		return NOT_NOW;
	}
	d->p = p;
	while (d->n_ok < d->res.n_events && game_apply(lr->r, &d->res.events[d->n_ok]) == 0)
		d->n_ok++;
	if (d->n_ok < d->res.n_events)
		ops_log(OPS_WARN, lr->code, "an event does not fit the state (%s); it and the rest of its decision are dropped",
		        game_event_name(d->res.events[d->n_ok].kind));
	return DECIDED;
drop:
	free(p);
	return DROPPED;
}

/* Into the log first, the whole batch as one unit; nobody sees its events
 * before the log has them. */
static void live_log(live_room *lr)
{
	rooms *rs = lr->rs;
	msgpack_sbuffer *buf = &rs->logged;
	struct evlog_payload *parts = NULL;
	size_t *ends = NULL;
	size_t n = 0, j = 0;
	bool partial = false;
	int err;

	for (uint32_t k = 0; k < lr->n_batch; k++) {
		n += lr->batch[k].n_ok;
		partial = partial || lr->batch[k].n_ok < lr->batch[k].res.n_events;
	}
	lr->batch_bytes = 0;
	if (partial) {
		/* The room took a decision only in part (out of memory): the
		 * log never holds part of one, so the batch fails whole and
		 * the room is loaded again from its log (live_settle). */
		lr->write_error = UV_ENOMEM;
		live_settle(lr);
		return;
	}
	if (n == 0) { /* nothing to log (a purge deletes it) */
		live_settle(lr);
		return;
	}
	ends = malloc(n * sizeof(*ends));
	parts = malloc(n * sizeof(*parts));
	msgpack_sbuffer_clear(buf);
	if (!ends || !parts) {
		err = UV_ENOMEM;
	} else {
		err = 0;
		for (uint32_t k = 0; k < lr->n_batch && !err; k++)
			for (uint32_t i = 0; i < lr->batch[k].n_ok && !err; i++) {
				if (game_pack_event_sbuffer(&lr->batch[k].res.events[i], buf))
					err = UV_ENOMEM;
				ends[j++] = buf->size;
			}
		for (size_t i = 0; i < n && !err; i++) {
			size_t start = i ? ends[i - 1] : 0;

			parts[i].bytes = buf->data + start;
			parts[i].len = ends[i] - start;
			lr->batch_bytes += evlog_record_size(parts[i].len);
		}
		if (lr->log_bytes == 0)
			lr->batch_bytes += EVLOG_MAGIC_LEN; /* a new file */
		/* evlog copies the records before it returns. */
		if (!err)
			err = evlog_appendv(rs->log, lr->code, parts, n, on_logged, lr);
	}
	free(ends);
	free(parts);
	if (err) { /* refused at once: the batch is not in the log */
		lr->write_error = err;
		live_settle(lr);
	}
}

static pending *pop_pending(live_room *lr)
{
	pending *p = lr->head;

	lr->head = p->next;
	if (!lr->head)
		lr->tail = NULL;
	lr->n_pending--;
	return p;
}

static void push_pending_front(live_room *lr, pending *p)
{
	p->next = lr->head;
	lr->head = p;
	if (!lr->tail)
		lr->tail = p;
	lr->n_pending++;
}

/* Decides what waits, as one batch at a time. */
static void live_pump(live_room *lr)
{
	while (!lr->busy && lr->head && !lr->rs->stopping) {
		uint32_t cap = lr->n_pending < ROOMS_BATCH_MAX ? lr->n_pending : ROOMS_BATCH_MAX;
		decision *batch = malloc(cap * sizeof(*batch));
		uint32_t n = 0;

		if (!batch) {
			live_refuse_pending(lr, VP_SERVER_BUSY, "The server is out of memory.");
			return;
		}
		while (lr->head && n < cap) {
			pending *p = pop_pending(lr);
			enum decided r = live_decide(lr, p, &batch[n], n == 0);

			if (r == NOT_NOW) {
				push_pending_front(lr, p);
				break;
			}
			if (r == DECIDED && ends_batch(&batch[n++].res))
				break;
		}
		if (n == 0) {
			free(batch);
			continue;
		}
		lr->batch = batch;
		lr->n_batch = n;
		lr->busy = true;
		metrics_batch(n);
		live_log(lr);
	}
}

/* ---- loading a room from its log ---- */

int rooms_log_path(const rooms *rs, const char *code, char *buf, size_t len)
{
	return evlog_room_path(rs->rooms_dir, code, buf, len) ? -1 : 0;
}

/* Folds one record into the room (record_each's callback). */
static int apply_record(void *ud, size_t i, const game_event *e, char *why, size_t whylen)
{
	(void)i;
	if (game_apply(ud, e)) {
		snprintf(why, whylen, "%s does not fit the room", game_event_name(e->kind));
		return RECORD_BAD;
	}
	return 0;
}

/* Applies every record of c to lr's (new) room: the same decoding and
 * apply as live play. Returns 0, or -1 after saying which record failed
 * (the log is then left on disk as it is). */
static int live_apply_log(live_room *lr, const struct evlog_contents *c, const char *path)
{
	char line[1024];
	record_error bad;

	if (c->repaired || c->tail != EVLOG_TAIL_CLEAN) {
		evlog_contents_describe(c, path, line, sizeof(line));
		ops_log(OPS_WARN, lr->code, "%s", line);
	}
	if (record_each(c, apply_record, lr->r, &bad)) {
		ops_log(OPS_WARN, lr->code, "record %zu at offset %zu: %s; the room stays on disk as it is", bad.index + 1,
		        bad.offset, bad.why);
		return -1;
	}
	return 0;
}

/* Nobody is attached to a room just loaded: whoever the log still has
 * online goes offline, logged, before anyone else is heard (ahead of
 * inputs that queued up while it loaded). */
static void live_mark_offline(live_room *lr)
{
	pending *head = lr->head, *tail = lr->tail;
	unsigned n = lr->n_pending;

	lr->head = lr->tail = NULL;
	lr->n_pending = 0;
	for (uint32_t id = 1; id <= room_members(lr->r); id++)
		if (room_member_present(lr->r, id) && room_member_online(lr->r, id))
			enqueue(lr, GAME_INPUT_OFFLINE, NULL, id, NULL, NULL, 0);
	if (head) {
		if (lr->tail)
			lr->tail->next = head;
		else
			lr->head = head;
		lr->tail = tail;
		lr->n_pending += n;
	}
}

/* Answers every input queued on lr with code (it never got decided). */
static void live_refuse_pending(live_room *lr, vp_code code, const char *msg)
{
	while (lr->head) {
		pending *p = lr->head;

		lr->head = p->next;
		lr->n_pending--;
		reply_pending_error(p, code, msg);
		free(p);
	}
	lr->tail = NULL;
}

static void recover_loaded(rooms *rs, bool back);

static void on_loaded(void *ud, int status, const struct evlog_contents *c)
{
	live_room *lr = ud;
	rooms *rs = lr->rs;
	char path[EVLOG_DIR_MAX + 64];
	bool recovering = lr->recovering;

	lr->loading = false;
	lr->busy = false;
	lr->recovering = false;
	if (rooms_log_path(rs, lr->code, path, sizeof(path)))
		path[0] = '\0';
	if (status && status != UV_ENOENT)
		ops_log(OPS_WARN, lr->code, "its log cannot be read (%s)", uv_strerror(status));
	if ((status && status != UV_ENOENT) || (status == 0 && live_apply_log(lr, c, path))) {
		/* Not a room anyone can use, nor a code to create anew. */
		live_refuse_pending(lr, VP_SERVER_BUSY, "This room's log cannot be read; the operator has been told.");
		live_free(lr);
		if (recovering)
			recover_loaded(rs, false);
		return;
	}
	lr->log_bytes = status == 0 ? c->valid_end : 0;
	if (room_exists(lr->r))
		live_mark_offline(lr);
	live_pump(lr);
	if (recovering) {
		/* Brought back at start: kept when still open and active
		 * lately, or when someone is using it already. */
		bool back = room_exists(lr->r) && room_phase(lr->r) != GAME_CLOSED &&
		            room_last_at(lr->r) + rs->recover_window_ms >= now_ms();

		recover_loaded(rs, back);
		if (!back && !lr->busy && !lr->head && !live_attached(lr)) {
			live_free(lr); /* loads again on demand */
			return;
		}
		if (!back) {
			/* Still writing its members' presence: the next sweep
			 * takes it once that is done, rather than after the
			 * idle time, so that it does not hold a place meant
			 * for the rooms in use. */
			uint64_t now = uv_now(rs->loop);

			lr->idle_since = now > rs->idle_ms ? now - rs->idle_ms : 1;
		}
	}
	/* A code with no log, whose queued inputs created nothing, is not kept. */
	if (!lr->busy && !lr->head && !room_exists(lr->r))
		live_free(lr);
}

/* Gives up on a room whose state cannot be trusted: its members are told
 * to try again (they resume, and the room is read from its log anew),
 * whatever waits is answered server_busy, and the room leaves memory. */
static void live_drop(live_room *lr, const char *why)
{
	ops_log(OPS_WARN, lr->code, "%s; the room is read from its log again when next used", why);
	for (uint32_t i = 1; i <= GAME_MAX_MEMBERS; i++) {
		device *l = lr->devices[i];

		if (l && l->conn) {
			net_conn_close(l->conn, NET_CLOSE_TRY_LATER, "try again");
			detach(l);
		}
	}
	live_refuse_pending(lr, VP_SERVER_BUSY, "The server cannot use this room right now; try again in a moment.");
	live_free(lr);
}

static void on_reloaded(void *ud, int status, const struct evlog_contents *c)
{
	live_room *lr = ud;
	char path[EVLOG_DIR_MAX + 64];

	lr->loading = false;
	lr->busy = false;
	if (rooms_log_path(lr->rs, lr->code, path, sizeof(path)))
		path[0] = '\0';
	if (status || live_apply_log(lr, c, path) || !room_exists(lr->r)) {
		live_drop(lr, "its log cannot be read back after a failed write");
		return;
	}
	lr->log_bytes = c->valid_end;
	live_pump(lr);
}

/* The log refused a batch whose events the room has applied already: the
 * room is read back from its log, which holds exactly what was answered
 * ok. Nobody saw the refused events, so the devices stay attached; inputs
 * wait until the room stands as its log left it. */
static void live_reload(live_room *lr)
{
	room *fresh = room_new();

	if (!fresh) {
		live_drop(lr, "out of memory after a failed write");
		return;
	}
	room_free(lr->r);
	lr->r = fresh;
	lr->loading = true;
	lr->busy = true;
	if (evlog_load(lr->rs->log, lr->code, on_reloaded, lr)) {
		lr->loading = false;
		lr->busy = false;
		live_drop(lr, "its log cannot be read back after a failed write");
	}
}

/* The live room of code for a WebSocket input: in memory, or a new entry
 * whose log is read on the thread pool (the input waits in its queue and
 * is decided once the room stands as its log left it; with no log, a
 * `create` finds an empty room). A room that exists is loaded however
 * many are in memory: --max-rooms bounds new rooms (live_decide), and
 * whoever has a token for a room that left memory must get back in.
 * NULL when out of memory or the read cannot start. */
static live_room *live_get_async(rooms *rs, const char *code)
{
	live_room *lr = live_lookup(rs, code);

	if (lr)
		return lr;
	lr = live_new(rs, code);
	if (!lr)
		return NULL;
	lr->loading = true;
	lr->busy = true; /* nothing is decided before the log is in */
	if (evlog_load(rs->log, code, on_loaded, lr)) {
		live_free(lr);
		return NULL;
	}
	return lr;
}

/* ---- the network layer's handler ---- */

static void on_open(void *ud, net_conn *c)
{
	(void)ud;
	(void)c;
}

static void on_intent(void *ud, net_conn *c, const vp_intent *in, const uint8_t *frame, size_t len)
{
	rooms *rs = ud;
	const char *code = net_conn_room(c);
	device *l = net_conn_get_user(c);
	live_room *lr;

	if (in->t == VP_T_CREATE || in->t == VP_T_JOIN || in->t == VP_T_RESUME) {
		if (in->room.len != VP_ROOM_LEN || memcmp(in->room.ptr, code, VP_ROOM_LEN) != 0) {
			reply_error(c, in, VP_BAD_REQUEST, "The room differs from the one in the address.");
			return;
		}
	}
	lr = l ? l->lr : live_get_async(rs, code);
	if (!lr) {
		reply_error(c, in, VP_SERVER_BUSY, "The server cannot read this room right now; try again in a moment.");
		return;
	}
	if (lr->purging) {
		reply_error(c, in, VP_NO_ROOM, "This room has been deleted.");
		return;
	}
	if (enqueue(lr, GAME_INPUT_INTENT, c, 0, in, frame, len)) {
		reply_error(c, in, VP_SERVER_BUSY, "This room is busy; try again in a moment.");
		return;
	}
	live_pump(lr);
	/* A room that a failed create or join left empty is not kept. */
	if (!lr->busy && !lr->head && !room_exists(lr->r))
		live_free(lr);
}

static void on_close(void *ud, net_conn *c)
{
	rooms *rs = ud;
	device *l = net_conn_get_user(c);
	live_room *lr = l ? l->lr : live_lookup(rs, net_conn_room(c));

	if (l) {
		l->conn = NULL;
		net_conn_set_user(c, NULL);
		start_grace(l);
	}
	if (!lr)
		return;
	if (!live_attached(lr))
		lr->idle_since = uv_now(rs->loop);
	/* Its queued messages go unanswered: nobody is left to hear. */
	for (pending *p = lr->head; p; p = p->next)
		if (p->conn == c)
			p->conn = NULL;
	for (uint32_t k = 0; k < lr->n_batch; k++)
		if (lr->batch[k].p->conn == c)
			lr->batch[k].p->conn = NULL;
}

/* ---- start, recovery, stop ---- */

/* One room's recovery load has finished (back: it stays in memory). */
static void recover_loaded(rooms *rs, bool back)
{
	rs->recover_back += back;
	if (--rs->recover_loads)
		return;
	{
		double s = (double)(uv_hrtime() - rs->recover_t0) / 1e9;

		metrics_recovery(s);
		ops_log(OPS_INFO, NULL, "%u room%s back from the log (recovery took %.0f ms)", rs->recover_back,
		        rs->recover_back == 1 ? "" : "s", s * 1000.0);
	}
}

static int recover_found(void *ud, const char *code, uint64_t size, int64_t mtime_ms)
{
	rooms *rs = ud;
	live_room *lr;

	(void)size;
	/* A file last written before the window holds no recent event. */
	if (!code_valid(code) || mtime_ms < 0 || (uint64_t)mtime_ms + rs->recover_window_ms < now_ms() ||
	    live_lookup(rs, code))
		return 0;
	if (rs->n_live >= rs->max_live)
		return 1; /* the rest load when asked for */
	lr = live_new(rs, code);
	if (!lr)
		return 1;
	lr->loading = true;
	lr->busy = true;
	lr->recovering = true;
	if (evlog_load(rs->log, code, on_loaded, lr)) {
		live_free(lr);
		return 0;
	}
	rs->recover_loads++;
	return 0;
}

/* Brings back the rooms that are still open and were active lately: their
 * logs are read on the thread pool like any other load, so the server
 * serves meanwhile (inputs for a room wait until it stands). Each member
 * is first marked offline (on_loaded). */
static void recover(rooms *rs, uint64_t window_ms)
{
	int err;

	rs->recover_window_ms = window_ms;
	rs->recover_t0 = uv_hrtime();
	rs->recover_loads = 1; /* until the listing is done */
	err = evlog_list_dir(rs->rooms_dir, recover_found, rs);
	if (err && err != UV_ENOENT)
		ops_log(OPS_WARN, NULL, "%s: cannot list the logs to recover: %s", rs->rooms_dir, uv_strerror(err));
	if (rs->n_live >= rs->max_live)
		ops_log(OPS_WARN, NULL, "--max-rooms reached while recovering; the other rooms load when asked for");
	if (rs->recover_loads == 1) {
		/* Nothing to read: say so only through the metrics. */
		rs->recover_loads = 0;
		metrics_recovery((double)(uv_hrtime() - rs->recover_t0) / 1e9);
		return;
	}
	recover_loaded(rs, false);
}

/* ---- memory and retention ---- */

/* Rooms named in one line of the sweep's report. */
#define ROOMS_REPORT_NAMES 8

/* Sends the rooms that have been idle for rs->idle_ms out of memory. Their
 * log holds all they are, so live_get_async loads them again when asked. */
static void sweep_idle(rooms *rs, uint64_t now)
{
	char names[ROOMS_REPORT_NAMES * (VP_ROOM_LEN + 1) + 1];
	size_t used = 0;
	unsigned gone = 0;

	names[0] = '\0';
	for (unsigned b = 0; b < ROOMS_BUCKETS; b++) {
		live_room *next;

		for (live_room *lr = rs->buckets[b]; lr; lr = next) {
			next = lr->next;
			if (live_attached(lr)) {
				lr->idle_since = 0;
				continue;
			}
			if (lr->idle_since == 0) {
				lr->idle_since = now;
				continue;
			}
			if (!live_quiet(lr) || now - lr->idle_since < rs->idle_ms)
				continue;
			if (gone < ROOMS_REPORT_NAMES) {
				if (gone)
					names[used++] = ' ';
				memcpy(names + used, lr->code, VP_ROOM_LEN + 1);
				used += VP_ROOM_LEN;
			}
			gone++;
			live_free(lr);
		}
	}
	if (gone)
		ops_log(OPS_INFO, NULL, "%u idle room%s left memory (%s%s); %s load from the log when asked for",
		        gone, gone == 1 ? "" : "s", names, gone > ROOMS_REPORT_NAMES ? " ..." : "",
		        gone == 1 ? "it will" : "they will");
}

typedef struct retain_scan {
	rooms *rs;
	int64_t cutoff;     /* a file last written before this is deleted */
	unsigned deleted;
	bool more;          /* the batch was full: more wait */
} retain_scan;

static int retain_found(void *ud, const char *code, uint64_t size, int64_t mtime_ms)
{
	retain_scan *sc = ud;
	rooms *rs = sc->rs;
	live_room *lr;
	bool placeholder = false;

	(void)size;
	if (mtime_ms >= sc->cutoff || !code_valid(code))
		return 0;
	if (sc->deleted >= ROOMS_RETAIN_BATCH) {
		sc->more = true;
		return 1;
	}
	lr = live_lookup(rs, code);
	if (lr && !live_quiet(lr))
		return 0; /* in use now: its next write makes it recent */
	if (!lr) {
		/* A stand-in, so that a join or resume arriving while the file
		 * goes finds the room deleted rather than loading it. */
		lr = live_new(rs, code);
		if (!lr)
			return 1;
		placeholder = true;
	}
	lr->purging = true;
	lr->busy = true;
	if (evlog_delete(rs->log, code, on_deleted, lr)) {
		if (placeholder) {
			live_free(lr);
		} else {
			lr->purging = false;
			lr->busy = false;
		}
		return 0;
	}
	sc->deleted++;
	return 0;
}

/* Deletes the logs that saw no activity for rs->retain_ms. */
static void retain_check(rooms *rs)
{
	retain_scan sc = { rs, (int64_t)(now_ms() - rs->retain_ms), 0, false };
	int err;

	rs->next_retain = uv_now(rs->loop) + ROOMS_RETAIN_CHECK_MS;
	if (rs->retain_ms == 0 || rs->stopping)
		return;
	err = evlog_list_dir(rs->rooms_dir, retain_found, &sc);
	if (err)
		ops_log(OPS_WARN, NULL, "%s: cannot list the logs for --retain-days: %s", rs->rooms_dir, uv_strerror(err));
	if (sc.deleted)
		ops_log(OPS_INFO, NULL, "deleting %u room log%s without activity for %llu day%s", sc.deleted,
		        sc.deleted == 1 ? "" : "s", (unsigned long long)(rs->retain_ms / (24ull * 3600 * 1000)),
		        rs->retain_ms / (24ull * 3600 * 1000) == 1 ? "" : "s");
	if (sc.more)
		rs->next_retain = uv_now(rs->loop); /* the rest at the next sweep */
}

static void on_sweep(uv_timer_t *t)
{
	rooms *rs = t->data;
	uint64_t now = uv_now(rs->loop);

	if (rs->stopping)
		return;
	sweep_idle(rs, now);
	if (now >= rs->next_retain)
		retain_check(rs);
}

/* ---- gauges for /metrics, read at each scrape ---- */

static double gauge_rooms_loaded(void *ud)
{
	const rooms *rs = ud;

	return rs->n_live;
}

static double gauge_rooms_live(void *ud)
{
	const rooms *rs = ud;
	unsigned n = 0;

	for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
		for (const live_room *lr = rs->buckets[b]; lr; lr = lr->next)
			n += live_attached(lr);
	return n;
}

static double gauge_members_online(void *ud)
{
	const rooms *rs = ud;
	unsigned n = 0;

	for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
		for (const live_room *lr = rs->buckets[b]; lr; lr = lr->next)
			for (uint32_t id = 1; room_exists(lr->r) && id <= room_members(lr->r); id++)
				n += room_member_present(lr->r, id) && room_member_online(lr->r, id);
	return n;
}

static uint64_t sweep_period(uint64_t idle_ms)
{
	uint64_t p = idle_ms / 4;

	return p < ROOMS_SWEEP_MIN_MS ? ROOMS_SWEEP_MIN_MS : p > ROOMS_SWEEP_MAX_MS ? ROOMS_SWEEP_MAX_MS : p;
}

/* The session log's own warnings (a write failing and succeeding again, a
 * repaired tail, a failed flush) go out through the ops log like every
 * other line, never raw to standard error. */
static void rooms_log_warn(void *ud, const char *line)
{
	(void)ud;
	ops_log(OPS_WARN, NULL, "%s", line);
}

int rooms_open(uv_loop_t *loop, net_server *net, const rooms_config *cfg, rooms **out)
{
	rooms *rs = calloc(1, sizeof(*rs));
	struct evlog_options lo;
	net_handler h;
	int err;

	if (!rs) {
		ops_log(OPS_ERROR, NULL, "out of memory");
		return -1;
	}
	rs->loop = loop;
	rs->net = net;
	rs->grace_ms = cfg->grace_ms ? cfg->grace_ms : ROOMS_GRACE_MS;
	rs->env.decks = rs->decks;
	if (snprintf(rs->rooms_dir, sizeof(rs->rooms_dir), "%s/rooms", cfg->data_dir) >= (int)sizeof(rs->rooms_dir)) {
		ops_log(OPS_ERROR, NULL, "the data directory's path is too long");
		goto fail;
	}
	if (load_decks(rs, cfg->decks_dir))
		goto fail;

	memset(&lo, 0, sizeof(lo));
	lo.dir = rs->rooms_dir;
	lo.sync = cfg->sync;
	/* One syncfs(2) per batch flushes every room's file at once: measured
	 * 2-3x the events/s of one fdatasync per file (server/log/README.md). */
	lo.flush = EVLOG_FLUSH_SYNCFS;
	lo.synced = metrics_log_synced_ns;
	lo.warn = rooms_log_warn;
	err = evlog_open(loop, &lo, &rs->log);
	if (err) {
		ops_log(OPS_ERROR, NULL, "cannot open the session log in %s: %s", rs->rooms_dir, uv_strerror(err));
		goto fail;
	}
	/* Old logs go first (their stand-ins keep recover from loading them). */
	rs->idle_ms = cfg->idle_ms ? cfg->idle_ms : ROOMS_IDLE_MS_DEFAULT;
	rs->max_live = cfg->max_rooms && cfg->max_rooms < ROOMS_LIVE_MAX ? cfg->max_rooms : ROOMS_LIVE_MAX;
	rs->log_max = cfg->max_log_bytes ? cfg->max_log_bytes : ROOMS_LOG_MAX_DEFAULT;
	rs->retain_ms = cfg->retain_ms;
	retain_check(rs);
	metrics_watch_evlog(rs->log);
	recover(rs, cfg->recover_window_ms);
	metrics_verrijk_source(METRICS_SRC_ROOMS_LOADED, gauge_rooms_loaded, rs);
	metrics_verrijk_source(METRICS_SRC_ROOMS_LIVE, gauge_rooms_live, rs);
	metrics_verrijk_source(METRICS_SRC_MEMBERS_ONLINE, gauge_members_online, rs);
	uv_timer_init(loop, &rs->sweep);
	rs->sweep.data = rs;
	rs->sweep_started = true;
	uv_timer_start(&rs->sweep, on_sweep, sweep_period(rs->idle_ms), sweep_period(rs->idle_ms));

	memset(&h, 0, sizeof(h));
	h.ud = rs;
	h.on_open = on_open;
	h.on_intent = on_intent;
	h.on_close = on_close;
	net_server_set_handler(net, &h);
	*out = rs;
	return 0;
fail:
	/* Nothing is attached yet: closing now needs no running loop but the
	 * log's own handles, which rooms_close's caller's loop run closes. */
	if (rs->log) {
		rooms_close(rs, NULL, NULL);
		uv_run(loop, UV_RUN_DEFAULT);
	} else {
		for (uint32_t i = 0; i < rs->env.n_decks; i++)
			deck_unref(rs->decks[i]);
		free(rs);
	}
	return -1;
}

void rooms_stop(rooms *rs)
{
	rs->stopping = true;
	if (rs->sweep_started)
		uv_timer_stop(&rs->sweep);
	for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
		for (live_room *lr = rs->buckets[b]; lr; lr = lr->next)
			for (uint32_t i = 0; i <= GAME_MAX_MEMBERS; i++)
				if (lr->devices[i])
					uv_timer_stop(&lr->devices[i]->grace);
}

static void sweep_closed(uv_handle_t *h)
{
	rooms *rs = h->data;

	if (--rs->closing_handles == 0 && rs->finishing)
		rooms_finish(rs);
}

static void on_log_closed(void *ud)
{
	rooms *rs = ud;

	rs->log = NULL;
	if (rs->sweep_started) {
		rs->sweep_started = false;
		rs->closing_handles++;
		uv_close((uv_handle_t *)&rs->sweep, sweep_closed);
	}
	/* Every append has been answered; the rooms can go. */
	for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
		while (rs->buckets[b]) {
			live_room *lr = rs->buckets[b];

			if (lr->busy && !lr->purging)
				live_done(lr);
			live_free(lr);
		}
	for (uint32_t i = 0; i < rs->env.n_decks; i++)
		deck_unref(rs->decks[i]);
	rs->env.n_decks = 0;
	rs->finishing = true;
	if (rs->closing_handles == 0)
		rooms_finish(rs); /* else the last device_closed does */
}

void rooms_close(rooms *rs, void (*done)(void *ud), void *ud)
{
	rs->stopping = true;
	rs->closed = done;
	rs->closed_ud = ud;
	metrics_watch_evlog(NULL);
	metrics_verrijk_source(METRICS_SRC_ROOMS_LOADED, NULL, NULL);
	metrics_verrijk_source(METRICS_SRC_ROOMS_LIVE, NULL, NULL);
	metrics_verrijk_source(METRICS_SRC_MEMBERS_ONLINE, NULL, NULL);
	evlog_close(rs->log, on_log_closed, rs);
}

/* ---- queries for the HTTP API ---- */

uint32_t rooms_deck_count(const rooms *rs)
{
	return rs->env.n_decks;
}

const deck *rooms_deck_at(const rooms *rs, uint32_t i)
{
	return i < rs->env.n_decks ? rs->decks[i] : NULL;
}

const deck *rooms_deck_by_hash(const rooms *rs, const char *hash)
{
	for (uint32_t i = 0; i < rs->env.n_decks; i++)
		if (strcmp(rs->decks[i]->hash, hash) == 0)
			return rs->decks[i];
	for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
		for (const live_room *lr = rs->buckets[b]; lr; lr = lr->next) {
			const deck *d = room_exists(lr->r) ? room_deck(lr->r) : NULL;

			if (d && strcmp(d->hash, hash) == 0)
				return d;
		}
	return NULL;
}

const room *rooms_live(rooms *rs, const char *code, bool *gone)
{
	const live_room *lr = code_valid(code) ? live_lookup(rs, code) : NULL;

	*gone = lr && lr->purging;
	return lr && !lr->purging && !lr->loading && room_exists(lr->r) ? lr->r : NULL;
}
