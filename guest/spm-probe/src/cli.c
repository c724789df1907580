/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: command line
 */
#include "cli.h"

#include <getopt.h>

#include "report.h"

void cli_usage(FILE *f)
{
    fputs("Usage: spm-probe [--root DIR] [--online[=KMEM_MODULE_PATH]]\n"
          "       spm-probe [--root DIR] --pattern=write|check[:SEED]\n"
          "\n"
          "Print the SPM report (" REPORT_BEGIN " ... " REPORT_END ").\n"
          "\n"
          "  --root DIR       prefix every sysfs/procfs path with DIR and\n"
          "                   read the kernel log from DIR/klog (default /)\n"
          "  --online[=PATH]  bind every dax device to kmem and online its\n"
          "                   memory; load kmem from PATH (an uncompressed\n"
          "                   .ko) first if the kmem driver is missing\n"
          "  --pattern=write[:SEED], --pattern=check[:SEED]\n"
          "                   bind every dax device to device_dax, map it\n"
          "                   and write or check a pattern derived from\n"
          "                   SEED (decimal, default 1) in all of it\n"
          "  -h, --help       show this help\n"
          "\n"
          "--online and --pattern are mutually exclusive.\n"
          "Exit status: 0 when the report was written, 1 on usage errors,\n"
          "2 when writing the report failed.\n", f);
}

enum cli_result cli_parse(int argc, char **argv, struct probe_opts *opts)
{
    static const struct option longopts[] = {
        { "root", required_argument, NULL, 'r' },
        { "online", optional_argument, NULL, 'o' },
        { "pattern", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    *opts = (struct probe_opts){
        .root = "/",
        .pattern = PATTERN_NONE,
        .pattern_seed = PATTERN_DEFAULT_SEED,
    };
    opterr = 0;
    optind = 0;             /* full restart, for glibc and musl alike */
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (optarg[0] == '\0') {
                fputs("spm-probe: --root needs a directory\n", stderr);
                return CLI_USAGE_ERROR;
            }
            opts->root = optarg;
            break;
        case 'o':
            if (optarg && optarg[0] == '\0') {
                fputs("spm-probe: --online= needs a module path\n", stderr);
                return CLI_USAGE_ERROR;
            }
            opts->online = true;
            opts->kmem_path = optarg;
            break;
        case 'p':
            if (!pattern_parse_arg(optarg, &opts->pattern,
                                   &opts->pattern_seed)) {
                fprintf(stderr, "spm-probe: --pattern: expected write or "
                        "check, optionally followed by :SEED (a decimal "
                        "64-bit number), not '%s'\n", optarg);
                return CLI_USAGE_ERROR;
            }
            break;
        case 'h':
            cli_usage(stdout);
            return CLI_HELP;
        default:
            fprintf(stderr, "spm-probe: unknown option or missing "
                    "argument: '%s'\n", argv[optind - 1]);
            cli_usage(stderr);
            return CLI_USAGE_ERROR;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "spm-probe: unexpected argument '%s'\n",
                argv[optind]);
        cli_usage(stderr);
        return CLI_USAGE_ERROR;
    }
    if (opts->online && opts->pattern != PATTERN_NONE) {
        fputs("spm-probe: --online and --pattern are mutually exclusive\n",
              stderr);
        return CLI_USAGE_ERROR;
    }
    return CLI_RUN;
}
