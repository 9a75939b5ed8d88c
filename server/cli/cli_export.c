/* cli_export.c - `verrijk export`: the summary of a closed round in one of export.c's formats, as the server's download gives it. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"

#include "game/export.h"

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
          "       /api/rooms/CODE/summary.{",
          out);
    print_formats(out, "", ",");
    fputs("} would give it\n", out);
}

int cli_export(int argc, char **argv)
{
    /* One option per format of export.c's table (--EXTENSION), then these. */
    static const struct option fixed[] = {
        {"round", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
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
        longopts[i] = (struct option){export_format_at(i)->extension, no_argument, NULL, 'f'};
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
            if (cli_parse_uint(optarg, GAME_MAX_ROUNDS, &round) || round == 0) {
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
    rc = cli_log_open(&lg, argv[optind]);
    if (rc)
        return rc;
    cli_log_fold(&lg, NULL, NULL);
    if (lg.failed)
        cli_warn_failed(&lg);
    else
        cli_warn_tail(&lg);
    switch (room_exists(lg.r) ? export_round(lg.r, (uint32_t)round, f, EXPORT_LANG_ROOM, &out, &len, NULL) : 1) {
    case 0: rc = fwrite(out, 1, len, stdout) == len && fflush(stdout) == 0 ? CLI_OK : CLI_BAD; break;
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
    cli_log_close(&lg);
    return rc;
}
