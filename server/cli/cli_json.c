/* cli_json.c - MessagePack (a log record, a View) written as JSON for `verrijk replay --json` and `--at`. */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli_json.h"

#include "log/record.h"

static void write_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\r')
            fputs("\\r", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* Writes o as JSON. Integers are written exactly (a 64-bit seed too);
 * binary data, which no event holds, is written as a hex string. */
void cli_json_write(FILE *out, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: fputs("null", out); break;
    case MSGPACK_OBJECT_BOOLEAN: fputs(o->via.boolean ? "true" : "false", out); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: fprintf(out, "%" PRIu64, o->via.u64); break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: fprintf(out, "%" PRId64, o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: fprintf(out, "%.17g", o->via.f64); break;
    case MSGPACK_OBJECT_STR: write_string(out, o->via.str.ptr, o->via.str.size); break;
    case MSGPACK_OBJECT_BIN:
    case MSGPACK_OBJECT_EXT: {
        const unsigned char *b =
            (const unsigned char *)(o->type == MSGPACK_OBJECT_BIN ? o->via.bin.ptr : o->via.ext.ptr);
        uint32_t n = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.size : o->via.ext.size;

        fputc('"', out);
        for (uint32_t i = 0; i < n; i++)
            fprintf(out, "%02x", b[i]);
        fputc('"', out);
        break;
    }
    case MSGPACK_OBJECT_ARRAY:
        fputc('[', out);
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            if (i)
                fputc(',', out);
            cli_json_write(out, &o->via.array.ptr[i]);
        }
        fputc(']', out);
        break;
    case MSGPACK_OBJECT_MAP:
        fputc('{', out);
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];

            if (i)
                fputc(',', out);
            if (kv->key.type == MSGPACK_OBJECT_STR)
                write_string(out, kv->key.via.str.ptr, kv->key.via.str.size);
            else
                fputs("\"?\"", out);
            fputc(':', out);
            cli_json_write(out, &kv->val);
        }
        fputc('}', out);
        break;
    }
}

/* Writes the MessagePack bytes (one object, already checked well formed)
 * as one line of JSON. Returns 0 or -1. */
int cli_json_line(FILE *out, const uint8_t *p, size_t len)
{
    msgpack_unpacked u;
    size_t off = 0;
    int rc = -1;

    if (!record_well_formed(p, len))
        return -1;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, (const char *)p, len, &off) == MSGPACK_UNPACK_SUCCESS) {
        cli_json_write(out, &u.data);
        fputc('\n', out);
        rc = 0;
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}
