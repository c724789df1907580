#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spm: Specific Purpose Memory for oVirt VMs, a VDSM before_vm_start hook.

The VM custom property

    spm=SIZE_MIB[,SIZE_MIB...]

gives the VM one RAM-backed <memory model='spm'> device per size, each on
a memory-only guest NUMA node of its own (<cell memory='0'>), numbered
after the VM's nodes.  A VM without guest NUMA nodes first gets one that
holds all its vCPUs and its memory.  <maxMemory> is added, or raised by
the SPM's size (so that the memory hot plug the engine planned keeps its
room), and its slots raised to what the VM's DIMMs need, at least one.
Sizes are positive multiples of 128 MiB.

VDSM runs the hook with the property's value in the environment variable
"spm" and the path of the domain XML in "_hook_domxml"; the hook writes
the XML back.  A VM without the property is left alone.  On bad input (a
value that does not parse, a size that is not a positive multiple of 128
MiB, a domain without <cpu>) the hook leaves the XML as it is, says why
on stderr and exits with 2, which makes VDSM run no further hook and fail
the VM's start.

Only the Python 3 standard library is used (Python 3.6 or later).
"""

import os
import re
import stat
import sys
import tempfile
from xml.dom import minidom
from xml.parsers.expat import ExpatError

PROPERTY = 'spm'
# What VDSM makes of a hook's exit code (lib/vdsm/hook/hooking.py): 0 the
# hook succeeded, 1 it failed and the other hooks still run, 2 it failed
# and no further hook runs.  Any failure of a before_vm_start hook fails
# the VM's start.
EXIT_ERROR = 2
# The size of a Linux memory block on x86: libvirt and QEMU need SPM in
# multiples of it, so that the guest can online all of it.
ALIGN_MIB = 128
USAGE = 'expected SIZE_MIB[,SIZE_MIB...], e.g. %s=1024,512' % PROPERTY
# One size: a decimal number without leading zeros (the grammar of the
# engine-config regular expression, integrations/ovirt/engine-config).
_SIZE = re.compile(r'0|[1-9][0-9]*')


class HookError(Exception):
    """Bad input: the VM must not start; the message says why."""


def parse_sizes(value):
    """The sizes in MiB of the property's VALUE, 'SIZE_MIB[,SIZE_MIB...]'."""
    sizes = []
    for item in value.split(','):
        if not _SIZE.fullmatch(item):
            raise HookError('%s=%r does not parse: %r is not a size in MiB; %s'
                            % (PROPERTY, value, item, USAGE))
        size = int(item)
        if size == 0 or size % ALIGN_MIB:
            raise HookError('%s=%r: %d MiB is not a positive multiple of '
                            '%d MiB' % (PROPERTY, value, size, ALIGN_MIB))
        sizes.append(size)
    return sizes


# --- domain XML -------------------------------------------------------------

def _scale(unit):
    """Bytes per UNIT, libvirt's memory units (KiB when there is none)."""
    u = (unit or 'KiB').lower()
    if u in ('b', 'bytes'):
        return 1
    power = 'kmgtpe'.find(u[:1]) + 1
    if power and u[1:] in ('', 'ib'):
        return 1024 ** power
    if power and u[1:] == 'b':
        return 1000 ** power
    raise HookError('unknown memory unit %r in the domain XML' % unit)


def _number(elem, attr=None):
    """The non-negative integer in ELEM's attribute ATTR, else in its text."""
    text = (elem.getAttribute(attr) if attr else _text(elem)).strip()
    if not re.fullmatch(r'[0-9]+', text):
        raise HookError('<%s%s> in the domain XML is not a number: %r'
                        % (elem.tagName, ' %s=' % attr if attr else '', text))
    return int(text)


def _kib(elem, attr=None):
    """The amount of memory ELEM gives (in its attribute ATTR, else in its
    text, scaled by its 'unit'), in KiB rounded up as libvirt does."""
    scaled = _number(elem, attr) * _scale(elem.getAttribute('unit'))
    return -(-scaled // 1024)


def _text(elem):
    return ''.join(n.data for n in elem.childNodes
                   if n.nodeType == n.TEXT_NODE)


def _elements(parent):
    return [n for n in parent.childNodes if n.nodeType == n.ELEMENT_NODE]


def _children(parent, tag):
    return [n for n in _elements(parent) if n.tagName == tag]


def _child(parent, tag):
    found = _children(parent, tag)
    return found[0] if found else None


def _insert(parent, elem, after=None):
    """Insert ELEM into PARENT after its child AFTER (by default its last
    element), on a line of its own indented as AFTER, so that the XML VDSM
    logs stays readable."""
    if after is None:
        elements = _elements(parent)
        after = elements[-1] if elements else None
    if after is None:
        return parent.appendChild(elem)
    parent.insertBefore(elem, after.nextSibling)
    indent = after.previousSibling
    if (indent is not None and indent.nodeType == indent.TEXT_NODE
            and not indent.data.strip()):
        parent.insertBefore(parent.ownerDocument.createTextNode(indent.data),
                            elem)
    return elem


def _element(doc, tag, text=None, **attrs):
    elem = doc.createElement(tag)
    for name, value in attrs.items():
        elem.setAttribute(name, str(value))
    if text is not None:
        elem.appendChild(doc.createTextNode(str(text)))
    return elem


def _set_kib(elem, kib):
    """Make ELEM's text KIB, in KiB: VDSM reads such values as KiB."""
    for node in list(elem.childNodes):
        elem.removeChild(node)
    elem.appendChild(elem.ownerDocument.createTextNode(str(kib)))
    if elem.hasAttribute('unit'):
        elem.setAttribute('unit', 'KiB')


def _device_kib(mem):
    target = _child(mem, 'target')
    size = _child(target, 'size') if target is not None else None
    return _kib(size) if size is not None else 0


def add_spm(doc, sizes_mib):
    """Give domain XML DOC (a minidom Document) an spm device of each of
    SIZES_MIB on a memory-only NUMA node of its own.  Returns the nodes."""
    domain = doc.documentElement
    if domain.tagName != 'domain':
        raise HookError('the XML is not a libvirt domain: its root is <%s>'
                        % domain.tagName)
    cpu = _child(domain, 'cpu')
    if cpu is None:
        raise HookError('the domain XML has no <cpu> element, which the guest '
                        'NUMA nodes of the SPM belong in')
    numa = _child(cpu, 'numa')
    if numa is None:
        numa = _insert(cpu, doc.createElement('numa'))
    devices = _child(domain, 'devices')
    if devices is None:
        devices = _insert(domain, doc.createElement('devices'))

    mems = _children(devices, 'memory')
    devices_kib = sum(_device_kib(m) for m in mems)
    cells = _children(numa, 'cell')
    if not cells:
        # One node with all vCPUs and the memory libvirt gives the guest's
        # boot RAM: <memory> less the memory devices.
        memory = _child(domain, 'memory')
        if memory is None:
            raise HookError('the domain XML has no <memory> element')
        vcpu = _child(domain, 'vcpu')
        vcpus = _number(vcpu) if vcpu is not None else 1
        ram_kib = _kib(memory) - devices_kib
        if ram_kib <= 0:
            raise HookError('the memory devices of the domain take all of its '
                            '<memory>')
        cells = [_insert(numa, _element(
            doc, 'cell', id=0, cpus='0-%d' % (vcpus - 1) if vcpus > 1 else '0',
            memory=ram_kib, unit='KiB'))]
    boot_kib = sum(_kib(c, 'memory') for c in cells)

    nodes = list(range(len(cells), len(cells) + len(sizes_mib)))
    for node, size in zip(nodes, sizes_mib):
        cell = _element(doc, 'cell', id=node, memory=0, unit='KiB')
        cells.append(_insert(numa, cell, after=cells[-1]))
        mem = _element(doc, 'memory', model='spm')
        target = mem.appendChild(doc.createElement('target'))
        target.appendChild(_element(doc, 'size', size * 1024, unit='KiB'))
        target.appendChild(_element(doc, 'node', node))
        _insert(devices, mem)

    # libvirt needs <maxMemory> with slots for any memory device, the
    # slots only for DIMMs and NVDIMMs, and room for all devices.
    spm_kib = sum(sizes_mib) * 1024
    slots = max(1, sum(1 for m in mems
                       if m.getAttribute('model') in ('dimm', 'nvdimm')))
    max_memory = _child(domain, 'maxMemory')
    if max_memory is None:
        max_memory = _element(doc, 'maxMemory', slots=slots)
        _set_kib(max_memory, boot_kib + devices_kib + spm_kib)
        _insert(domain, max_memory, after=_child(domain, 'currentMemory')
                or _child(domain, 'memory'))
    else:
        room = max(_kib(max_memory), boot_kib + devices_kib)
        _set_kib(max_memory, room + spm_kib)
        if (not max_memory.hasAttribute('slots')
                or _number(max_memory, 'slots') < slots):
            max_memory.setAttribute('slots', str(slots))
    return nodes


# --- the hook ----------------------------------------------------------------

def read_domxml(path):
    try:
        with open(path, 'rb') as f:
            return minidom.parse(f)
    except (OSError, ExpatError) as e:
        raise HookError('cannot read the domain XML %s: %s' % (path, e))


def write_domxml(path, data):
    """Replace file PATH by DATA at once, keeping its permissions: it is
    whole or unchanged whatever happens."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)),
                                   prefix='.%s-hook-' % PROPERTY)
    except OSError as e:
        raise HookError('cannot write the domain XML %s: %s' % (path, e))
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as e:
        os.unlink(tmp)
        if isinstance(e, OSError):
            raise HookError('cannot write the domain XML %s: %s' % (path, e))
        raise


def main(environ=os.environ):
    value = environ.get(PROPERTY)
    if value is None:
        return 0
    try:
        path = environ.get('_hook_domxml')
        if not path:
            raise HookError('_hook_domxml is not set: VDSM sets it to the '
                            'file of the domain XML')
        sizes = parse_sizes(value)
        doc = read_domxml(path)
        nodes = add_spm(doc, sizes)
        write_domxml(path, doc.toxml(encoding='utf-8'))
    except HookError as e:
        sys.stderr.write('%s hook: %s\n' % (PROPERTY, e))
        return EXIT_ERROR
    except Exception as e:      # a bug, or XML nobody foresaw: one line too
        sys.stderr.write('%s hook: unexpected %s: %s; the domain XML is left '
                         'as it was\n' % (PROPERTY, type(e).__name__, e))
        return EXIT_ERROR
    sys.stderr.write('%s hook: %s\n' % (PROPERTY, ', '.join(
        '%d MiB on node %d' % (s, n) for s, n in zip(sizes, nodes))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
