# SPDX-License-Identifier: GPL-2.0-or-later
"""The test suites, found rather than listed, in the order tests/run runs
them: fast ones first, slow ones last.

    unit/NAME      an executable tests/unit/NAME
    upstream/NAME  an executable tests/upstream/NAME
    system/NAME    tests/system/test_NAME.py ('_' for '-'), a unittest
                   module run by tests/system/run

Unit suites come first, then upstream ones, each by name; then the system
suites by the ORDER their module declares (a number, smaller first;
DEFAULT_ORDER if it declares none), then by name.  A system module also
declares BUILDS, the tools/build-* its guests need (DEFAULT_BUILDS if
none), and may declare KERNEL, the guest kernel its guests boot (one of
lib/lib.sh's GUEST_KERNELS; tests/system/run sets KERNEL to it for the
builds and the tests; without it, whatever KERNEL the caller chose).
They are read from the module's source without importing it: a literal,
one of the SHARED tuples below by name (the module imports it from
here), or a sum of those:

    from spmtest.suites import LIBVIRT_BUILDS
    ORDER = 30
    BUILDS = LIBVIRT_BUILDS + ("debian-image",)
    KERNEL = "7.2"

    python3 -m spmtest.suites list          every suite, in order
    python3 -m spmtest.suites builds NAME   what system suite NAME needs built
    python3 -m spmtest.suites kernel NAME   the kernel it declares, or nothing
"""

import ast
import os
import sys

from spm.paths import GUEST_KERNELS, TOP

TESTS = os.path.join(TOP, "tests")
SYSTEM = os.path.join(TESTS, "system")
DEFAULT_ORDER = 100
# what the guests of plain QEMU need, and the guests of the private libvirt
GUEST_BUILDS = ("seabios", "qemu", "initramfs")
LIBVIRT_BUILDS = GUEST_BUILDS + ("libvirt",)
DEFAULT_BUILDS = GUEST_BUILDS
# the names a module's declarations may use
SHARED = {"GUEST_BUILDS": GUEST_BUILDS, "LIBVIRT_BUILDS": LIBVIRT_BUILDS}


def _value(node):
    """The value of expression NODE: a literal, a name in SHARED, or a sum;
    ValueError for anything else."""
    if isinstance(node, ast.Name) and node.id in SHARED:
        return SHARED[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        try:
            return _value(node.left) + _value(node.right)
        except TypeError as e:
            raise ValueError(str(e))
    return ast.literal_eval(node)


def declared(path):
    """{name: value} of the module-level assignments in PATH whose value is
    a literal, a SHARED name or a sum of those."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = _value(node.value)
            except ValueError:
                pass
    return out


def system_module(name):
    return os.path.join(SYSTEM, "test_%s.py" % name.replace("-", "_"))


def system_declaration(name):
    """(ORDER, BUILDS, KERNEL) of system suite NAME (KERNEL None if it
    declares none)."""
    decl = declared(system_module(name))
    order, builds = decl.get("ORDER", DEFAULT_ORDER), decl.get("BUILDS", DEFAULT_BUILDS)
    kernel = decl.get("KERNEL")
    if not isinstance(order, int) or isinstance(builds, str) or \
            not all(isinstance(b, str) for b in builds):
        raise ValueError("%s: ORDER must be a number, BUILDS a tuple of names"
                         % system_module(name))
    if kernel is not None and kernel not in GUEST_KERNELS:
        raise ValueError("%s: KERNEL is %r, not one of the guest kernels %s"
                         % (system_module(name), kernel, ", ".join(GUEST_KERNELS)))
    for b in builds:
        if not os.access(os.path.join(TOP, "tools", "build-" + b), os.X_OK):
            raise ValueError("%s: BUILDS names %r, but there is no tools/build-%s"
                             % (system_module(name), b, b))
    return order, tuple(builds), kernel


def suites():
    """Every suite, in the order to run them."""
    out = []
    for group in ("unit", "upstream"):
        d = os.path.join(TESTS, group)
        out += ["%s/%s" % (group, f) for f in sorted(os.listdir(d))
                if os.path.isfile(os.path.join(d, f)) and os.access(os.path.join(d, f), os.X_OK)]
    system = []
    for f in os.listdir(SYSTEM):
        if f.startswith("test_") and f.endswith(".py"):
            name = f[len("test_"):-len(".py")].replace("_", "-")
            system.append((system_declaration(name)[0], name))
    return out + ["system/" + name for _, name in sorted(system)]


def main(argv):
    if argv[1:] == ["list"]:
        print("\n".join(suites()))
    elif len(argv) == 3 and argv[1] in ("builds", "kernel"):
        if not os.path.exists(system_module(argv[2])):
            sys.exit("no system test %s" % os.path.relpath(system_module(argv[2]), TOP))
        _, builds, kernel = system_declaration(argv[2])
        print(" ".join(builds) if argv[1] == "builds" else kernel or "")
    else:
        sys.exit("usage: python3 -m spmtest.suites list | builds NAME | kernel NAME")


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (OSError, SyntaxError, ValueError) as e:
        sys.exit("spmtest.suites: %s" % e)
