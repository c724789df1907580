# SPDX-License-Identifier: GPL-2.0-or-later
"""spm-probe's report: the text between its markers on the guest's console,
parsed into records, with the look-ups the tests need."""

import re

BEGIN = "@@SPM-PROBE BEGIN v1@@"
END = "@@SPM-PROBE END@@"
# guest/init prints it when it waits for commands (control mode)
READY = "@@SPM-GUEST READY@@"


class GuestError(Exception):
    """The guest did not do what it should; the message says why."""


_FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def _value(text):
    if text.startswith('"'):
        return re.sub(r'\\(.)', r'\1', text[1:-1])
    if re.fullmatch(r'0x[0-9a-fA-F]+', text):
        return int(text, 16)
    if re.fullmatch(r'-?[0-9]+', text):
        return int(text)
    return text


def parse_report(text):
    """Parse spm-probe's report into {kind: [ {field: value} ]}."""
    start = text.find(BEGIN)
    end = text.find(END, start + 1)
    if start < 0 or end < 0:
        raise GuestError("no complete spm-probe report on the console")
    report = {}
    for line in text[start + len(BEGIN):end].splitlines():
        line = line.strip()
        if not line or " " not in line:
            continue
        kind, rest = line.split(" ", 1)
        fields = {k: _value(v) for k, v in _FIELD.findall(rest)}
        report.setdefault(kind, []).append(fields)
    return report


def all_reports(text):
    """Every complete report in console text TEXT, in order, as Reports."""
    out = []
    pos = text.find(BEGIN)
    while pos >= 0:
        end = text.find(END, pos)
        if end < 0:
            break
        out.append(Report(parse_report(text[pos:end + len(END)])))
        pos = text.find(BEGIN, end)
    return out


class Report:
    """What the guest saw, with the look-ups the tests need."""

    def __init__(self, entries):
        self.entries = entries

    def __getitem__(self, kind):
        return self.entries.get(kind, [])

    def iomem(self, name):
        return [(e["start"], e["end"] + 1) for e in self["iomem"] if e["name"] == name]

    def kernel_release(self):
        """The guest kernel's release (uname -r), or None."""
        return self["kernel"][0]["release"] if self["kernel"] else None

    def soft_reserved(self):
        """[start, end) of every Soft Reserved range, wherever the guest
        kernel shows it (the probe's softreserved lines: the firmware
        memory map, the boot log's e820 entries, /proc/iomem, the hmem dax
        regions; Linux 7.2 no longer lists them in /proc/iomem)."""
        return [(e["start"], e["end"] + 1) for e in self["softreserved"]]

    def soft_reserved_found(self, start, end):
        """Where the guest found Soft Reserved range [START, END): a list
        of the probe's source names, empty if nowhere."""
        for e in self["softreserved"]:
            if (e["start"], e["end"] + 1) == (start, end):
                return e["found"].split(",")
        return []

    def srat_covering(self, start, end):
        """SRAT memory-affinity entries that overlap [start, end)."""
        return [e for e in self["srat"]
                if e["start"] < end and start < e["start"] + e["length"]]

    def node_of_pxm(self, pxm):
        for e in self["pxm"]:
            if e["pxm"] == pxm:
                return e["node"]
        return None

    def memtotal_kb(self, phase):
        return {e["node"]: e["memtotal_kb"] for e in self["node"] if e["phase"] == phase}

    def node_ranges(self, node, phase="boot", state="online"):
        """[start, end) ranges of memory that Linux gives NODE."""
        return [(e["start"], e["end"] + 1) for e in self["noderange"]
                if e["node"] == node and e["phase"] == phase and e["state"] == state]


def memdev_range(dev):
    """[start, end) of a query-memory-devices entry (dimm says "addr", the
    others "memaddr")."""
    data = dev["data"]
    start = data["addr"] if "addr" in data else data["memaddr"]
    return start, start + data["size"]


def summary(memdevs, rep):
    """A human-readable account of what QEMU placed (MEMDEVS, from
    query-memory-devices) and what the guest saw (report REP)."""
    out = ["guest kernel %s" % rep.kernel_release()]
    for d in memdevs:
        start, end = memdev_range(d)
        out.append("QEMU %s %s: [%#x, %#x) node %s" % (
            d["type"], d["data"].get("id"), start, end, d["data"].get("node")))
    for s, e in rep.iomem("System RAM"):
        out.append("guest %-13s [%#x, %#x) %d MiB" % ("System RAM", s, e, (e - s) >> 20))
    for s, e in rep.soft_reserved():
        out.append("guest %-13s [%#x, %#x) %d MiB (found in %s)"
                   % ("Soft Reserved", s, e, (e - s) >> 20,
                      ", ".join(rep.soft_reserved_found(s, e))))
    for e in rep["srat"]:
        out.append("guest SRAT  [%#x, %#x) pxm %d -> node %s%s" % (
            e["start"], e["start"] + e["length"], e["pxm"], rep.node_of_pxm(e["pxm"]),
            " hotplug" if e["hotplug"] else ""))
    for e in rep["dax"]:
        out.append("guest dax   %s [%#x, %#x) target_node %d driver %s" % (
            e["name"], e["start"], e["start"] + e["size"], e["target_node"], e["driver"]))
    for phase in ("boot", "before", "after"):
        for node, kb in sorted(rep.memtotal_kb(phase).items()):
            out.append("guest node%d MemTotal %d MiB (%s)" % (node, kb >> 10, phase))
    for e in rep["online"]:
        out.append("guest online %s: %s" % (e["name"], e.get("what", e["result"])))
    for e in rep["access"]:
        out.append("guest node%d access%d from nodes %s: latency %d/%d ns, bandwidth %d/%d MB/s"
                   " (read/write, %s)" % (e["node"], e["class"], e["initiators"],
                                          e["read_latency"], e["write_latency"],
                                          e["read_bandwidth"], e["write_bandwidth"], e["phase"]))
    for e in rep["tier"]:
        out.append("guest memory_tier%d: nodes %s (%s)" % (e["tier"], e["nodelist"], e["phase"]))
    for e in rep["error"]:
        out.append("guest probe error: %s" % e["what"])
    return "\n".join(out)
