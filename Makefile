# CubeSeg: `make run` starts the service, `make test` runs every test, `make bench`
# measures CubeSeg against its peers, `make quality` its segmentations against PCA + k-means,
# `make soak` kills the service 20 times mid-work. Each installs the Debian packages it needs.

APT_PACKAGES := pkg-config zlib1g-dev libopenblas-dev libmicrohttpd-dev libhdf5-dev \
                libcfitsio-dev libsqlite3-dev libgnutls28-dev curl python3 postgresql wrk
# What only the tests need: the headless browser for the viewer's checks, and a venv for the
# Python client's.
TEST_APT_PACKAGES := chromium chromium-driver python3-venv
# One flag set for build, run and test so they share one release build.
SWIFT_FLAGS := -c release -Xswiftc -enable-testing
BIN := .build/release/cubeseg

.PHONY: deps build run test soak bench quality quality-heldout fuzz clean

deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build $(SWIFT_FLAGS) --product cubeseg

run: build
	$(BIN) serve $(ARGS)

# The tests, the cluster test and the soak share one private PostgreSQL server
# (CUBESEG_TEST_POSTGRES_URL; CUBESEG_REQUIRE_POSTGRES=1 makes its absence a failure),
# started after the build and stopped at the end even when a step fails. Then the viewer
# in headless Chromium (screenshots in .build/browser-artifacts) and the Python client's
# pytest suite, each against a real `cubeseg serve`.
test:
	$(MAKE) deps EXTRA_APT_PACKAGES="$(TEST_APT_PACKAGES)"
	swift build $(SWIFT_FLAGS) --build-tests
	CUBESEG_REQUIRE_POSTGRES=1 scripts/with_pg_test_server.sh sh -c \
	  'swift test $(SWIFT_FLAGS) --skip-build --no-parallel && scripts/cluster_test.py $(BIN) && scripts/soak.sh 5 $(BIN)'
	scripts/browser_test.py $(BIN)
	scripts/python_client_test.sh $(BIN)

# 20 kill -9 of a running service at random moments, then nothing lost or left behind.
soak: build
	scripts/soak.sh 20 $(BIN)

bench: build
	scripts/bench.sh

quality: build
	scripts/quality.sh

# A suite drawn afresh (SEED=N to repeat one; default: today's date).
quality-heldout: build
	QUALITY_HELDOUT=$${SEED:-$$(date +%Y%m%d)} scripts/quality.sh

fuzz: deps
	scripts/fuzz.sh

clean:
	rm -rf .build
