# SPDX-License-Identifier: GPL-2.0-or-later
"""Compatibility: the names spmlibvirt had, now spm.libvirt's.  New code
imports spm.libvirt."""

from spm.libvirt import *  # noqa: F401,F403
from spm.libvirt import _sigterm  # noqa: F401


def fill_template(text, workdir):
    """The example domain XML TEXT with its placeholders filled in (new
    code uses spm.libvirt.template_element)."""
    import io
    return to_text(template_element(io.StringIO(text), workdir))
