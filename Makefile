# Entry points.  Every target calls one script under tools/ or tests/;
# the scripts are incremental and safe to run again.

.PHONY: all run test deps fetch build seabios qemu libvirt probe initramfs \
	tree-qemu tree-libvirt tree-seabios export-qemu export-libvirt export-seabios \
	check-qemu check-libvirt clean

all: build

# The main job: build what is missing, boot a guest, print what it sees.
run: deps
	tools/main

# Every test suite, with a summary per suite.
test: deps
	tests/run

deps:
	tools/install-deps

fetch:
	tools/fetch

build: seabios qemu libvirt probe initramfs

seabios qemu libvirt probe initramfs:
	tools/build-$@

tree-%:
	tools/tree $*

check-%:
	tools/check-queue $*

export-%:
	tools/export $*

# Never deletes a work tree's unexported commits (FORCE=1 does).
clean:
	@for c in qemu libvirt seabios; do tools/tree --check $$c || exit 1; done
	rm -rf build
