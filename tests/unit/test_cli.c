/* test_cli: `verrijk replay` and `verrijk export` on log files written from a room played through the game core. */
#include "test_game_util.h"

#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/evlog.h"

#include "cli/cli.h"
#include "cli/cli_json.h"
#include "log/record.h"

#define FILE_CAP (1u << 20)
#define OUT_CAP  65536

typedef struct fx {
    char dir[64];
    char path[128];
    uint8_t *file; /* the log file's bytes */
    size_t len;
    size_t n_records;
    size_t offsets[256]; /* of each record's header */
    char out[OUT_CAP];   /* what the last command printed on stdout */
} fx;

/* Plays a short round in the core (create, two players, a card, two votes,
 * a note, close) and writes its events as a log file. */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    tg t;
    uint32_t fac, a, b;
    size_t off = 0;
    msgpack_unpacked u;
    int fd;

    assert_non_null(f);
    strcpy(f->dir, "/tmp/test_cli.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/ABCDEF.log", f->dir);
    f->file = malloc(FILE_CAP);
    assert_non_null(f->file);

    tg_init(&t);
    fac = tg_create(&t);
    a = tg_join(&t, "Anna", VP_ROLE_PLAYER);
    b = tg_join(&t, "Bram", VP_ROLE_PLAYER);
    assert_int_equal(tg_start(&t, fac), VP_OK);
    assert_int_equal(tg_play_first(&t, a), VP_OK);
    assert_int_equal(tg_vote(&t, a, 4), VP_OK);
    assert_int_equal(tg_note(&t, b, "Goed idee"), VP_OK);
    assert_int_equal(tg_vote(&t, b, 2), VP_OK);
    assert_int_equal(tg_close(&t, fac, "Klaar"), VP_OK);

    memcpy(f->file, EVLOG_MAGIC, EVLOG_MAGIC_LEN);
    f->len = EVLOG_MAGIC_LEN;
    msgpack_unpacked_init(&u);
    while (off < t.log.size) {
        size_t start = off;

        assert_int_equal(msgpack_unpack_next(&u, t.log.data, t.log.size, &off), MSGPACK_UNPACK_SUCCESS);
        f->offsets[f->n_records++] = f->len;
        f->len += evlog_record_encode(f->file + f->len, FILE_CAP - f->len, t.log.data + start, off - start);
    }
    msgpack_unpacked_destroy(&u);
    assert_int_equal(f->n_records, t.n_log);
    tg_free(&t);

    fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC, 0444);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f->file, f->len), (ssize_t)f->len);
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cut[160];

    unlink(f->path);
    snprintf(cut, sizeof(cut), "%s", f->dir);
    rmdir(cut);
    free(f->file);
    free(f);
    return 0;
}

static void write_bytes(const fx *f, const uint8_t *bytes, size_t len)
{
    int fd;

    chmod(f->path, 0644);
    fd = open(f->path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    close(fd);
    chmod(f->path, 0444);
}

/* Runs the subcommand (a NULL-terminated argument list, its name first)
 * with stdout captured in f->out. Returns its exit code. */
static int run(fx *f, ...)
{
    char *argv[8];
    int argc = 0;
    char tmp[128];
    int saved, fd, rc;
    ssize_t n;
    va_list ap;

    va_start(ap, f);
    while (argc < 7 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    snprintf(tmp, sizeof(tmp), "%s/out", f->dir);
    fflush(stdout);
    saved = dup(1);
    fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0 && saved >= 0);
    dup2(fd, 1);
    rc = cli_main(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    n = pread(fd, f->out, sizeof(f->out) - 1, 0);
    f->out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(tmp);
    return rc;
}

static void test_verify_accepts_a_whole_log_without_changing_it(void **state)
{
    fx *f = *state;
    struct stat st;

    assert_int_equal(run(f, "replay", f->path, "--verify", (char *)NULL), 0);
    assert_non_null(strstr(f->out, "ok: "));
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal((size_t)st.st_size, f->len);
}

static void test_verify_reports_the_first_bad_crc_with_its_offset(void **state)
{
    fx *f = *state;
    char want[64];

    f->file[f->offsets[3] + EVLOG_RECORD_HEADER_LEN + 1] ^= 0x20;
    write_bytes(f, f->file, f->len);
    assert_int_equal(run(f, "replay", f->path, "--verify", (char *)NULL), 1);
    snprintf(want, sizeof(want), "BAD: record 4 at offset %zu: CRC mismatch", f->offsets[3]);
    assert_non_null(strstr(f->out, want));
}

static void test_verify_reports_a_record_that_does_not_fit_the_room(void **state)
{
    fx *f = *state;
    uint8_t *twice = malloc(FILE_CAP);
    size_t first_len = f->offsets[1] - f->offsets[0];
    char want[64];

    /* The `created` record again where the second record was: whole and
     * with a right CRC, but a room cannot be created twice. */
    assert_non_null(twice);
    memcpy(twice, f->file, f->offsets[1]);
    memcpy(twice + f->offsets[1], f->file + f->offsets[0], first_len);
    write_bytes(f, twice, f->offsets[1] + first_len);
    free(twice);
    assert_int_equal(run(f, "replay", f->path, "--verify", (char *)NULL), 1);
    snprintf(want, sizeof(want), "BAD: record 2 at offset %zu: created", f->offsets[1]);
    assert_non_null(strstr(f->out, want));
    assert_non_null(strstr(f->out, "does not fit the room"));
}

static void test_verify_reports_a_torn_tail_and_repairs_nothing(void **state)
{
    fx *f = *state;
    struct stat st;
    char want[64];

    write_bytes(f, f->file, f->len - 1);
    assert_int_equal(run(f, "replay", f->path, "--verify", (char *)NULL), 1);
    snprintf(want, sizeof(want), "at offset %zu: torn payload", f->offsets[f->n_records - 1]);
    assert_non_null(strstr(f->out, want));
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal((size_t)st.st_size, f->len - 1);
}

static void test_timeline_has_one_line_per_event_with_names(void **state)
{
    fx *f = *state;
    size_t lines = 0;

    assert_int_equal(run(f, "replay", f->path, (char *)NULL), 0);
    for (const char *p = f->out; (p = strstr(p, "  #")) != NULL; p++)
        lines++;
    assert_int_equal(lines, f->n_records);
    assert_non_null(strstr(f->out, "Anna joined as player"));
    assert_non_null(strstr(f->out, "Bram wrote note 1"));
    assert_non_null(strstr(f->out, "Anna voted\n"));
    assert_non_null(strstr(f->out, "Anna 4, Bram 2"));
}

static void test_json_is_the_log_one_event_per_line(void **state)
{
    fx *f = *state;
    size_t lines = 0;
    json_error_t jerr;
    char *line = f->out;

    assert_int_equal(run(f, "replay", f->path, "--json", (char *)NULL), 0);
    for (char *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        json_t *j;

        *nl = '\0';
        /* A seed is a 64-bit integer, over what jansson reads as one. */
        j = json_loads(line, JSON_DECODE_INT_AS_REAL, &jerr);
        if (!j)
            fail_msg("line %zu is not JSON (%s): %.200s", lines + 1, jerr.text, line);
        assert_true(json_number_value(json_object_get(j, "seq")) == (double)(lines + 1));
        json_decref(j);
        lines++;
    }
    assert_int_equal(lines, f->n_records);
}

static void test_json_writes_64_bit_integers_exactly(void **state)
{
    msgpack_object o = {.type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = UINT64_MAX};
    char buf[64] = "";
    FILE *m = fmemopen(buf, sizeof(buf), "w");

    (void)state;
    cli_json_write(m, &o);
    fclose(m);
    assert_string_equal(buf, "18446744073709551615");
}

static void test_at_shows_the_view_at_that_seq_public_or_as_a_member(void **state)
{
    fx *f = *state;
    bool saw_own_vote = false;

    /* Anna is member 2. The public screen never sees a vote of hers
     * before the reveal; her own View shows it from her vote on. */
    for (size_t seq = 1; seq <= f->n_records; seq++) {
        char s[16];

        snprintf(s, sizeof(s), "%zu", seq);
        assert_int_equal(run(f, "replay", f->path, "--at", s, (char *)NULL), 0);
        assert_non_null(strstr(f->out, "seen as the public screen"));
        assert_null(strstr(f->out, "my vote"));
        if (seq >= 3) {
            assert_int_equal(run(f, "replay", f->path, "--at", s, "--as", "2", (char *)NULL), 0);
            assert_non_null(strstr(f->out, "seen as Anna"));
            if (strstr(f->out, "my vote 4"))
                saw_own_vote = true;
        }
    }
    assert_true(saw_own_vote);
    assert_int_equal(run(f, "replay", f->path, "--at", "2", "--as", "9", (char *)NULL), 2);
    assert_int_equal(run(f, "replay", f->path, "--as", "2", (char *)NULL), 2);
}

static void test_export_prints_the_summary_and_refuses_a_round_that_is_not_there(void **state)
{
    fx *f = *state;

    assert_int_equal(run(f, "export", f->path, "--md", (char *)NULL), 0);
    assert_non_null(strstr(f->out, "Klaar"));
    assert_int_equal(run(f, "export", f->path, "--csv", "--round=2", (char *)NULL), 1);
    assert_int_equal(run(f, "export", f->path, (char *)NULL), 2);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_accepts_a_whole_log_without_changing_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_reports_the_first_bad_crc_with_its_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_reports_a_record_that_does_not_fit_the_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_reports_a_torn_tail_and_repairs_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeline_has_one_line_per_event_with_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_is_the_log_one_event_per_line, setup, teardown),
        cmocka_unit_test(test_json_writes_64_bit_integers_exactly),
        cmocka_unit_test_setup_teardown(test_at_shows_the_view_at_that_seq_public_or_as_a_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_prints_the_summary_and_refuses_a_round_that_is_not_there, setup,
                                        teardown),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
