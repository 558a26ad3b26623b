# LeNetHls: `make demo` (fresh machine to verified accelerator report), `make test` (every test) and
# `make test-fast` (unit tests only: no Verilator, g++, iverilog or yosys runs, no MNIST training).
DOTNET   ?= dotnet
CONFIG   ?= Release
CLI      := artifacts/bin/Cli/$(shell echo $(CONFIG) | tr A-Z a-z)/lenet-hls
DATA     := data/mnist
DEMO_OUT ?= out/demo

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: demo test test-fast deps build data bench clean

deps:
	@scripts/install-deps.sh

build: deps
	$(DOTNET) build LeNetHls.sln -c $(CONFIG) -nologo -clp:ErrorsOnly

data: build
	$(CLI) data fetch --data $(DATA)

demo: data
	$(CLI) flow --preset lenet5 --bits 8 --images all --out $(DEMO_OUT)

test: data
	@scripts/test-summary.sh

# Slow test classes carry [Trait("Category", "Integration")]; this lane leaves them out.
test-fast: data
	@scripts/test-summary.sh --filter "Category!=Integration"

bench: data
	@bench/run-all.sh

clean:
	rm -rf artifacts out
