# Entry points.  Every target calls one script under tools/ or tests/;
# the scripts are incremental and safe to run again.  The per-component
# targets are static pattern rules: make looks for no implicit rule for a
# .PHONY target, so a plain pattern rule would never run.

.PHONY: all run test deps fetch build seabios qemu libvirt probe initramfs \
	tree-qemu tree-libvirt tree-seabios export-qemu export-libvirt export-seabios \
	check-qemu check-libvirt clean bench

all: build

# The main job: build what is missing, boot a guest, print what it sees.
# KERNEL=7.2 boots the guest on Debian's newest kernel instead of 6.12.
run: deps
	tools/main

# Every test suite, with a summary per suite.
test: deps
	tests/run

# The benchmarks (bench/README.md): they print figures and test nothing.
bench: build
	bench/run

deps:
	tools/install-deps

fetch:
	tools/fetch

build: seabios qemu libvirt probe initramfs

seabios qemu libvirt probe initramfs:
	tools/build-$@

tree-qemu tree-libvirt tree-seabios: tree-%:
	tools/tree $*

check-qemu check-libvirt: check-%:
	tools/check-queue $*

export-qemu export-libvirt export-seabios: export-%:
	tools/export $*

# Never deletes a work tree's unexported commits (FORCE=1 does).  The
# private libvirt's state directories are outside build/ (tools/libvirtd).
clean:
	@for c in qemu libvirt seabios; do tools/tree --check $$c || exit 1; done
	tools/libvirtd clean
	rm -rf build
