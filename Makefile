# drover's build. `make test` is what CI runs (through .ci/run).
GO        ?= go
BIN       := bin/drover
GOFLAGS_T := -race -count=1
# The bound of each test binary (package). The slowest packages
# (controller/runner, cmd/drover) take 2 to 4 minutes on a loaded 2-core
# machine; go test's default of 10 minutes was once hit, and a hang must
# still end. The whole `make test` took under 7 minutes there, loaded.
TEST_TIMEOUT ?= 15m
# Packages tested at once (go test's -p). Default: the number of CPUs.
TEST_P       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZTIME  ?= 60s

.PHONY: all build test vet fmt-check fuzz bench soak demo demo-swarm demo-gitops node-image prometheus clean

all: build

build:
	@command -v $(GO) >/dev/null || { echo "make: Go is missing: install Go 1.26 or newer from the Go project or your distribution"; exit 1; }
	$(GO) build -o $(BIN) ./cmd/drover

# vet + every test (fuzz seed corpora included) with the race detector.
# The swarm tests run node containers, hence the node image; the
# prometheus metric's tests run a real Prometheus; the GitOps tests follow
# local repositories, which git's git-upload-pack serves.
test: fmt-check vet node-image prometheus
	@command -v git >/dev/null || { echo "make: git is missing (the GitOps tests fetch from local repositories through git-upload-pack): apt-get install -y git"; exit 1; }
	$(GO) test $(GOFLAGS_T) -timeout $(TEST_TIMEOUT) -p $(TEST_P) ./...

vet:
	@command -v $(GO) >/dev/null || { echo "make: Go is missing: install Go 1.26 or newer from the Go project or your distribution"; exit 1; }
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Coverage-guided fuzzing of the spec loader (not part of `make test`,
# which runs the seed corpus only).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./specs
	$(GO) test -run '^$$' -fuzz '^FuzzHostile$$' -fuzztime $(FUZZTIME) ./specs
	$(GO) test -run '^$$' -fuzz '^FuzzTagRoundTrip$$' -fuzztime $(FUZZTIME) ./instance

# The swarm node image (Docker in Docker) from Debian packages; cached.
node-image:
	./scripts/build-node-image.sh

# A prometheus binary on PATH (Debian's package, its service not started).
prometheus:
	./scripts/ensure-prometheus.sh

bench:
	./scripts/bench.sh

# Slow runs on real engines, not part of make test: a service under a load
# oscillating ±15 % around its autoscaler's target for 10 minutes
# (DROVER_SOAK_FOR changes it) must be scaled at most twice.
soak: node-image
	$(GO) test -tags soak -count=1 -run 'Soak$$' -v -timeout 40m ./controller/runner/

demo: build
	./scripts/demo.sh

# The swarm example: managers and workers as node containers, a service.
demo-swarm: build
	./scripts/demo-swarm.sh

# GitOps: a daemon following a local bare repository (see docs/gitops.md).
demo-gitops: build
	./scripts/demo-gitops.sh

clean:
	rm -rf bin

# Regenerate the plugin protocol's Go code (plugins/grpc/proto), which is
# committed. Needs protoc: apt-get install -y protobuf-compiler. The
# generators are pinned as tools in go.mod.
.PHONY: proto
proto:
	@command -v protoc >/dev/null || { echo "make: protoc is missing: apt-get install -y protobuf-compiler"; exit 1; }
	$(GO) generate ./plugins/grpc/proto
