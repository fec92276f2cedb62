# AugBench: the two commands a new machine needs are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN := .build/release/augbench

.PHONY: setup build release demo test bench doctor clean

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# Until the experiment runner lands, the demo is the most complete thing there is:
# the environment report and the kernel benchmark.
demo: release
	$(RELEASE_BIN) doctor
	$(RELEASE_BIN) bench

doctor: release
	$(RELEASE_BIN) doctor

bench: release
	$(RELEASE_BIN) bench

# Release build: the suite trains small models and reads real datasets, which a debug build makes slow.
test: setup
	$(SWIFT) test -c release

clean:
	rm -rf .build
