/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: report what a Linux guest sees of Specific Purpose Memory
 *
 * Prints the kernel release, the firmware memory map (sysfs and the E820
 * lines of the kernel log), /proc/iomem RAM and Soft Reserved ranges, SRAT
 * memory affinity, the PXM -> node mapping, dax devices and their regions,
 * the Soft Reserved ranges with the sources showing each, per-node memory
 * and the address ranges of each node's memory blocks; with
 * --online, binds the dax devices to kmem and onlines them; with
 * --pattern, writes or checks a pattern in them through device-dax.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "probe.h"

int main(int argc, char **argv)
{
    struct probe_opts opts;

    switch (cli_parse(argc, argv, &opts)) {
    case CLI_RUN:
        break;
    case CLI_HELP:
        return EXIT_SUCCESS;
    case CLI_USAGE_ERROR:
    default:
        return EXIT_FAILURE;
    }

    /* Line by line, so that a guest dying mid-way leaves a partial report. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    return probe_run(&opts, stdout) < 0 ? 2 : EXIT_SUCCESS;
}
