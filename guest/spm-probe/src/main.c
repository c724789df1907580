/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: report what a Linux guest sees of Specific Purpose Memory
 *
 * Prints the firmware memory map, /proc/iomem RAM and Soft Reserved ranges,
 * SRAT memory affinity, the PXM -> node mapping, dax devices, per-node
 * memory and the address ranges of each node's memory blocks; with
 * --online, binds the dax devices to kmem and onlines them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

static void usage(FILE *f)
{
    fputs("Usage: spm-probe [--root DIR] [--online[=KMEM_MODULE_PATH]]\n"
          "\n"
          "Print the SPM report (" REPORT_BEGIN " ... " REPORT_END ").\n"
          "\n"
          "  --root DIR       prefix every sysfs/procfs path with DIR and\n"
          "                   read the kernel log from DIR/klog (default /)\n"
          "  --online[=PATH]  bind every dax device to kmem and online its\n"
          "                   memory; load kmem from PATH (an uncompressed\n"
          "                   .ko) first if the kmem driver is missing\n"
          "  -h, --help       show this help\n"
          "\n"
          "Exit status: 0 when the report was written, 1 on usage errors,\n"
          "2 when writing the report failed.\n", f);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "root", required_argument, NULL, 'r' },
        { "online", optional_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct probe_opts opts = { .root = "/" };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (optarg[0] == '\0') {
                fputs("spm-probe: --root needs a directory\n", stderr);
                return EXIT_FAILURE;
            }
            opts.root = optarg;
            break;
        case 'o':
            if (optarg && optarg[0] == '\0') {
                fputs("spm-probe: --online= needs a module path\n", stderr);
                return EXIT_FAILURE;
            }
            opts.online = true;
            opts.kmem_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_SUCCESS;
        default:
            fprintf(stderr, "spm-probe: unknown option or missing "
                    "argument: '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_FAILURE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "spm-probe: unexpected argument '%s'\n",
                argv[optind]);
        usage(stderr);
        return EXIT_FAILURE;
    }

    /* Line by line, so that a guest dying mid-way leaves a partial report. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    return probe_run(&opts, stdout) < 0 ? 2 : EXIT_SUCCESS;
}
