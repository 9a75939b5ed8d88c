/* cli_json.h - MessagePack written as JSON, for the offline commands (and their tests). */
#ifndef VERRIJK_CLI_JSON_H
#define VERRIJK_CLI_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <msgpack.h>

/* Writes o as JSON. Integers are written exactly (a 64-bit seed too);
 * binary data, which no event holds, is written as a hex string. */
void cli_json_write(FILE *out, const msgpack_object *o);

/* Writes the MessagePack bytes (one object, checked well formed with
 * record_well_formed first) as one line of JSON. Returns 0, or -1 when
 * they are not one well-formed object (nothing is written then). */
int cli_json_line(FILE *out, const uint8_t *p, size_t len);

#endif
