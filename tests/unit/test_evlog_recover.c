/* test_evlog_recover: reading log files back from disk, and cutting torn or corrupt tails off them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log/evlog.h"

#define RECORDS  8
#define PATH_CAP 512

struct fixture {
    char dir[256];
    char path[PATH_CAP];
    uint8_t file[16384]; /* the intact file */
    size_t len;
    size_t offset[RECORDS];
    size_t plen[RECORDS];
    uint8_t payload[RECORDS][300];
};

static void write_file(const char *path, const void *bytes, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (len)
        assert_int_equal(fwrite(bytes, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static off_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void remove_cut_files(struct fixture *fx)
{
    char cmd[PATH_CAP * 2];
    snprintf(cmd, sizeof(cmd), "rm -f '%s'/*.cut-*", fx->dir);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_evlog_recover.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof(fx->path), "%s/ABC234.log", fx->dir);
    memcpy(fx->file, EVLOG_MAGIC, EVLOG_MAGIC_LEN);
    fx->len = EVLOG_MAGIC_LEN;
    for (unsigned i = 0; i < RECORDS; i++) {
        fx->plen[i] = 3 + 37 * i;
        for (size_t k = 0; k < fx->plen[i]; k++)
            fx->payload[i][k] = (uint8_t)(i * 31 + k * 7);
        fx->offset[i] = fx->len;
        fx->len += evlog_record_encode(fx->file + fx->len, sizeof(fx->file) - fx->len, fx->payload[i], fx->plen[i]);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[PATH_CAP * 2];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static void expect_records(const struct fixture *fx, const struct evlog_contents *c, size_t n)
{
    assert_int_equal(c->count, n);
    for (size_t i = 0; i < n; i++) {
        uint32_t len;
        const uint8_t *p = evlog_contents_payload(c, i, &len);
        assert_int_equal(len, fx->plen[i]);
        assert_memory_equal(p, fx->payload[i], len);
    }
}

static void test_evlog_read_clean_file_changes_nothing(void **state)
{
    struct fixture *fx = *state;
    struct evlog_contents c;
    write_file(fx->path, fx->file, fx->len);
    assert_int_equal(evlog_read_file(fx->path, true, &c), 0);
    expect_records(fx, &c, RECORDS);
    assert_int_equal(c.tail, EVLOG_TAIL_CLEAN);
    assert_int_equal(c.cut, 0);
    assert_false(c.repaired);
    assert_string_equal(c.cut_path, "");
    assert_int_equal(file_size(fx->path), (off_t)fx->len);
    evlog_contents_free(&c);
}

/* A file torn at every byte of its last record is cut back on disk to the
 * record before, which stays intact, and the cut bytes are saved aside. */
static void test_evlog_repair_cuts_torn_tail_at_every_offset(void **state)
{
    struct fixture *fx = *state;
    size_t last = fx->offset[RECORDS - 1];
    for (size_t cut = last + 1; cut < fx->len; cut++) {
        struct evlog_contents c;
        char saved[PATH_CAP + 32];
        write_file(fx->path, fx->file, cut);
        assert_int_equal(evlog_read_file(fx->path, true, &c), 0);
        expect_records(fx, &c, RECORDS - 1);
        assert_int_equal(c.valid_end, last);
        assert_int_equal(c.cut, cut - last);
        assert_true(c.repaired);
        assert_int_equal(file_size(fx->path), (off_t)last);
        snprintf(saved, sizeof(saved), "%s.cut-%zu", fx->path, last);
        assert_string_equal(c.cut_path, saved);
        assert_int_equal(file_size(saved), (off_t)(cut - last));
        /* The line recovery logs says what was cut, where, and why. */
        char line[2048], want[128];
        evlog_contents_describe(&c, fx->path, line, sizeof(line));
        snprintf(want, sizeof(want), "cut %zu bytes at offset %zu (%s)", cut - last, last, evlog_tail_name(c.tail));
        assert_non_null(strstr(line, want));
        assert_non_null(strstr(line, saved));
        evlog_contents_free(&c);
        /* Read again: now clean, same records. */
        assert_int_equal(evlog_read_file(fx->path, true, &c), 0);
        expect_records(fx, &c, RECORDS - 1);
        assert_int_equal(c.tail, EVLOG_TAIL_CLEAN);
        evlog_contents_free(&c);
        remove_cut_files(fx);
    }
}

static void test_evlog_read_without_repair_leaves_file_alone(void **state)
{
    struct fixture *fx = *state;
    struct evlog_contents c;
    size_t cut = fx->len - 3;
    write_file(fx->path, fx->file, cut);
    assert_int_equal(evlog_read_file(fx->path, false, &c), 0);
    expect_records(fx, &c, RECORDS - 1);
    assert_int_equal(c.tail, EVLOG_TAIL_TORN_PAYLOAD);
    assert_false(c.repaired);
    assert_int_equal(file_size(fx->path), (off_t)cut);
    char line[1024];
    evlog_contents_describe(&c, fx->path, line, sizeof(line));
    assert_non_null(strstr(line, "would cut"));
    assert_non_null(strstr(line, "torn payload"));
    evlog_contents_free(&c);
}

/* A corrupt record in the middle ends the valid prefix there: what follows
 * cannot be trusted to be framed right. It is saved, not lost. */
static void test_evlog_repair_cuts_at_corrupt_middle_record_and_saves_rest(void **state)
{
    struct fixture *fx = *state;
    struct evlog_contents c;
    uint8_t copy[sizeof(fx->file)];
    memcpy(copy, fx->file, fx->len);
    copy[fx->offset[3] + EVLOG_RECORD_HEADER_LEN + 1] ^= 0x10;
    write_file(fx->path, copy, fx->len);
    assert_int_equal(evlog_read_file(fx->path, true, &c), 0);
    expect_records(fx, &c, 3);
    assert_int_equal(c.tail, EVLOG_TAIL_BAD_CRC);
    assert_int_equal(file_size(fx->path), (off_t)fx->offset[3]);
    assert_int_equal(file_size(c.cut_path), (off_t)(fx->len - fx->offset[3]));
    evlog_contents_free(&c);
}

static void test_evlog_repair_empties_file_torn_inside_magic(void **state)
{
    struct fixture *fx = *state;
    struct evlog_contents c;
    write_file(fx->path, fx->file, 5);
    assert_int_equal(evlog_read_file(fx->path, true, &c), 0);
    assert_int_equal(c.count, 0);
    assert_int_equal(c.tail, EVLOG_TAIL_TORN_MAGIC);
    assert_int_equal(file_size(fx->path), 0);
    evlog_contents_free(&c);
}

static void test_evlog_repair_never_touches_a_foreign_file(void **state)
{
    struct fixture *fx = *state;
    struct evlog_contents c;
    const char *text = "this is not a session log\n";
    write_file(fx->path, text, strlen(text));
    assert_int_equal(evlog_read_file(fx->path, true, &c), UV_EINVAL);
    assert_int_equal(c.tail, EVLOG_TAIL_BAD_MAGIC);
    assert_null(c.bytes);
    assert_int_equal(file_size(fx->path), (off_t)strlen(text));
}

static void test_evlog_read_missing_file_is_enoent(void **state)
{
    struct fixture *fx = *state;
    struct evlog_contents c;
    char path[PATH_CAP + 16];
    snprintf(path, sizeof(path), "%s/NOPE22.log", fx->dir);
    assert_int_equal(evlog_read_file(path, true, &c), UV_ENOENT);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_evlog_read_clean_file_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evlog_repair_cuts_torn_tail_at_every_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evlog_read_without_repair_leaves_file_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evlog_repair_cuts_at_corrupt_middle_record_and_saves_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evlog_repair_empties_file_torn_inside_magic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evlog_repair_never_touches_a_foreign_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evlog_read_missing_file_is_enoent, setup, teardown),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
