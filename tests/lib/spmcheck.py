# SPDX-License-Identifier: GPL-2.0-or-later
"""Compatibility: the names spmcheck had, now spm.check's."""

from spm.check import *  # noqa: F401,F403
