# SPDX-License-Identifier: GPL-2.0-or-later
"""Compatibility: the names spmguest had, now in the spm package (spm.paths,
spm.report, spm.console, spm.guest).  New code imports those."""

from spm.console import *  # noqa: F401,F403
from spm.guest import *  # noqa: F401,F403
from spm.paths import *  # noqa: F401,F403
from spm.report import *  # noqa: F401,F403
