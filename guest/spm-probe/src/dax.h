/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: device-dax devices (/sys/bus/dax/devices)
 */
#ifndef SPM_PROBE_DAX_H
#define SPM_PROBE_DAX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define DAX_DEVICES_PATH "/sys/bus/dax/devices"
#define DAX_DRIVERS_PATH "/sys/bus/dax/drivers"

/* The region directory, in the parent of a dax device's directory. */
#define DAX_REGION_DIR "dax_region"

struct dax_dev {
    char *name;             /* e.g. "dax0.0" */
    uint64_t start;         /* "resource" */
    uint64_t size;          /* "size" */
    int64_t target_node;    /* "target_node", may be -1 */
    char *driver;           /* bound driver, or "none" */
    /*
     * The region: DAX_REGION_DIR/id and DAX_REGION_DIR/size of the
     * directory holding the device's real sysfs directory, whose name is
     * the provider (e.g. "hmem.0"); -1, 0 and "none" without a region.
     */
    int64_t region_id;
    uint64_t region_size;
    char *provider;
};

void dax_dev_free(struct dax_dev *dev);

/* Sorted by name, naturally (dax2.0 < dax10.0). */
DEFINE_LIST(dax_list, struct dax_dev, dax_dev_free)

/*
 * Read every device under DAX_DEVICES_PATH below @root.  A device with a
 * missing or unparsable attribute is left out and reported in @err.  No
 * DAX_DEVICES_PATH at all (no dax bus) is not an error: the list is empty.
 * A device without a region directory (other dax providers may have none)
 * has no region, silently; a region directory whose id or size cannot be
 * read or parsed is reported in @err, and its device kept without region.
 */
void dax_read(const char *root, struct dax_list *dl, struct errlist *err);

/*
 * The driver bound to dax device @name below @root: an allocated name,
 * "none" when unbound, or NULL after adding an error to @err.
 */
char *dax_driver(const char *root, const char *name, struct errlist *err);

/*
 * Bind dax device @name below @root to @driver (e.g. "kmem" or
 * "device_dax") unless it is bound to it already: unbind it from its
 * current driver, write @name to the driver's new_id (or, if that fails,
 * bind), then check the driver link.  Returns NULL on success, else an
 * allocated error message.
 */
char *dax_bind(const char *root, const char *name, const char *driver);

#endif
