/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the running kernel's release
 */
#ifndef SPM_PROBE_KERNEL_H
#define SPM_PROBE_KERNEL_H

#include "util.h"

/* Below a --root other than "/", the release is read from this file. */
#define KERNEL_OSRELEASE_PATH "/proc/sys/kernel/osrelease"

/*
 * The kernel release, e.g. "6.12.17-amd64": from uname(2) if @root is
 * "/", else from KERNEL_OSRELEASE_PATH below @root (trailing newlines
 * stripped).  Returns an allocation, or NULL after adding an error to
 * @err (also for an empty release).
 */
char *kernel_release(const char *root, struct errlist *err);

#endif
