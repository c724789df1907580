# Entry points.  Every target calls one script under tools/ or tests/;
# the scripts are incremental and safe to run again.

.PHONY: all run test deps fetch build seabios qemu libvirt probe initramfs \
	tree-qemu tree-libvirt tree-seabios export-qemu export-libvirt export-seabios clean

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

export-%:
	tools/export $*

clean:
	rm -rf build
