# SPDX-License-Identifier: GPL-2.0-or-later
"""Compatibility: the names spmhmat had, now spm.hmat's."""

from spm.hmat import *  # noqa: F401,F403
