/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: command line
 */
#ifndef SPM_PROBE_CLI_H
#define SPM_PROBE_CLI_H

#include <stdio.h>

#include "probe.h"

enum cli_result {
    CLI_RUN,                /* *opts is filled in: write the report */
    CLI_HELP,               /* --help: usage was printed to stdout */
    CLI_USAGE_ERROR,        /* a message was printed to stderr */
};

void cli_usage(FILE *f);

/*
 * Parse @argv into *@opts (set to the defaults first).  Restarts getopt,
 * so it can be called more than once (tests).
 */
enum cli_result cli_parse(int argc, char **argv, struct probe_opts *opts);

#endif
