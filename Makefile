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

# The quickstart grid: Fashion-MNIST at 1%, baseline against DiffAugment, trained anew into demo-results/
# (results/ holds the committed runs, which `run` would find finished). About 2 minutes on 2 cores.
DEMO_RESULTS := demo-results
demo: release
	$(RELEASE_BIN) doctor
	rm -rf $(DEMO_RESULTS)/runs $(DEMO_RESULTS)/quickstart
	$(RELEASE_BIN) run configs/quickstart.json --results $(DEMO_RESULTS)
	$(RELEASE_BIN) table configs/quickstart.json --results $(DEMO_RESULTS)
	$(RELEASE_BIN) report configs/quickstart.json --results $(DEMO_RESULTS)
	@echo "Quickstart runs: $(DEMO_RESULTS)/runs/<run id>/ (result.json, metrics.jsonl, samples.png, checkpoints)"
	@echo "Report: $(DEMO_RESULTS)/quickstart/report.html"

doctor: release
	$(RELEASE_BIN) doctor

bench: release
	$(RELEASE_BIN) bench

# Release build: the suite trains small models and reads real datasets, which a debug build makes slow.
# The test runner links OpenBLAS without augbench's start-up, so it is given the kernel augbench chose for
# this CPU (doctor --kernel-environment prints nothing when OpenBLAS's own is kept).
test:
	@scripts/setup --test
	$(SWIFT) build -c release --build-tests
	env $$($(RELEASE_BIN) doctor --kernel-environment) $(SWIFT) test -c release --disable-swift-testing --skip-build

clean:
	rm -rf .build
