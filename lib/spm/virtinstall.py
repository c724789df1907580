# SPDX-License-Identifier: GPL-2.0-or-later
"""Create guests with Debian's own virt-install on the private libvirt.

virt-install (package virtinst) and Debian's python3-libvirt link the
system's libvirt client library, which looks for the daemon's socket below
/run; URI points them at the private daemon of build/prefix instead.
numa_args() and the other builders turn NUMA cells and spm devices into
virt-install options (--cpu cellN.*, --memdev spm,...); run() runs
virt-install and says what failed.  The domain it makes is an
spm.libvirt.Domain, driven with the project's virsh as usual.
"""

import os
import subprocess

from spm.paths import INITRD, KERNEL, LIBVIRT_RUN, kernel_args
from spm.report import READY, GuestError

SOCKET = os.path.join(LIBVIRT_RUN, "virtqemud-sock")
URI = "qemu:///system?socket=" + SOCKET
VIRT_INSTALL = "/usr/bin/virt-install"


def client_env():
    """The environment of a libvirt client of the private daemon: nothing
    from the caller's may steer it to another one."""
    env = dict(os.environ)
    for var in ("LIBVIRT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI"):
        env.pop(var, None)
    return env


def numa_args(cells, spms=(), max_memory_mib=16384, slots=4):
    """--memory, --vcpus, --cpu and --memdev for CELLS, [(memory MiB, cpus or
    None)] per guest node (memory 0: a memory-only node), and SPMS, [(size
    MiB, node)] per spm device."""
    vcpus = max(int(c.split("-")[-1]) for _, c in cells if c) + 1
    numa = ",".join("cell%d.id=%d,cell%d.memory=%d" % (i, i, i, mem << 10)
                    + (",cell%d.cpus=%s" % (i, c) if c else "")
                    for i, (mem, c) in enumerate(cells))
    args = ["--memory", "%d,maxMemory=%d,maxMemory.slots=%d"
            % (sum(m for m, _ in cells), max_memory_mib, slots),
            "--vcpus", str(vcpus), "--cpu", "qemu64," + numa]
    for size, node in spms:
        args += ["--memdev", "spm,target.size=%d,target.node=%d" % (size, node)]
    return args


def uefi_args(firmware):
    """--boot uefi: libvirt picks OVMF by the firmware descriptor that
    tools/libvirt-config installs; SeaBIOS is QEMU's default."""
    if firmware == "seabios":
        return []
    if firmware == "ovmf":
        return ["--boot", "uefi"]
    raise ValueError("unknown firmware %r" % firmware)


def guest_args(name, workdir, firmware="seabios", control=False):
    """The options of a TCG q35 guest with ACPI and no disk, network or
    graphics, its console in WORKDIR/console, with CONTROL a command
    channel WORKDIR/ctl (the second serial port), off at its first
    shutdown or reboot; virt-install returns once it started."""
    args = ["--connect", URI, "--name", name, "--virt-type", "qemu",
            "--arch", "x86_64", "--machine", "q35", "--osinfo", "detect=off,name=linux2022",
            "--features", "acpi=on", "--serial", "file,path=" + os.path.join(workdir, "console"),
            "--disk", "none", "--network", "none", "--graphics", "none", "--video", "none",
            "--sound", "none",
            "--events", "on_poweroff=destroy,on_reboot=destroy,on_crash=destroy",
            "--noautoconsole"]
    if control:
        args += ["--serial", "unix,mode=bind,path=" + os.path.join(workdir, "ctl")]
    return args + uefi_args(firmware)


def import_args(online=True, control=False):
    """The test guest's kernel as the domain's own <os> (--import)."""
    return ["--import", "--boot", "kernel=%s,initrd=%s,kernel_args=%s"
            % (KERNEL, INITRD, kernel_args(online, control))]


def install_args(online=True, control=False):
    """The test guest as the kernel and initrd of an install: virt-install
    copies them into its scratch directory for the first boot only."""
    return ["--install", "kernel=%s,initrd=%s,kernel_args=%s,kernel_args_overwrite=yes"
            % (KERNEL, INITRD, kernel_args(online, control))]


class VirtInstallError(GuestError):
    """virt-install failed; .output holds what it said."""

    def __init__(self, args, output):
        super().__init__("virt-install %s failed: %s" % (" ".join(args), output.strip()))
        self.output = output


def virt_install(args, check=True, timeout=300):
    """Run virt-install with ARGS; the CompletedProcess (VirtInstallError
    with CHECK if it fails)."""
    if not os.access(VIRT_INSTALL, os.X_OK):
        raise GuestError("%s is missing: run tools/install-deps" % VIRT_INSTALL)
    res = subprocess.run([VIRT_INSTALL] + list(args), env=client_env(),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=timeout)
    if check and res.returncode != 0:
        raise VirtInstallError(args, res.stdout + res.stderr)
    return res


def run_controlled(dom, timeout=300):
    """Drive spm.libvirt.Domain DOM, which virt-install made and started
    with a control channel: wait for the guest's first report, check that
    QEMU is not root, read query-memory-devices and the live XML while the
    guest runs, power it off; its Result."""
    dom.wait_for(READY, timeout=timeout)
    dom.check_unprivileged()
    dom.memdevs = dom.qmp("query-memory-devices")
    dom.live_xml = dom.dumpxml()
    dom.send("poweroff -f")
    dom.wait_shutoff(timeout)
    return dom.result()
