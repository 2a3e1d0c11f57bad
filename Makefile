# Imbolc: `make run` starts the TUI, `make test` runs the whole suite.
# Both install what is missing first (Debian/Ubuntu, with apt-get).

# scsynth and JACK to make sound (sc3-plugins: community UGens some sounds
# use); headers for midir's JACK backend to build; SQLite (project files)
# is Debian's libsqlite3, not a copy compiled from C by cargo; cmake and
# libclang-dev build Ableton Link (rusty_link compiles Ableton's C++ with
# cmake and binds it with bindgen, which needs libclang).
RUN_PACKAGES  := supercollider-server sc3-plugins-server jackd2 pkg-config libjack-jackd2-dev libasound2-dev libsqlite3-dev cmake libclang-dev
# sclang (and the sc3-plugins classes) to compile and check the SynthDefs,
# tmux for the real-terminal test; flac, vorbis-tools (oggdec) and mpg123
# to decode the FLAC, Ogg and MP3 renders with other programs; util-linux
# (unshare) and iproute2 (ip) give the Link test a network namespace with
# loopback only.
TEST_PACKAGES := $(RUN_PACKAGES) supercollider-language sc3-plugins-language tmux flac vorbis-tools mpg123 util-linux iproute2

CARGO ?= cargo

.PHONY: run test synthdefs deps-run deps-test check-leftovers

run: deps-run
	$(CARGO) run --release -p imbolc-ui -- $(ARGS)

test: deps-test
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	IMBOLC_TEST_RUN=$(CURDIR) $(CARGO) test --workspace --locked
	$(MAKE) --no-print-directory check-leftovers

synthdefs: deps-test
	synthdefs/compile.sh

deps-run:
	@sh .ci/install-packages.sh $(RUN_PACKAGES)

deps-test:
	@sh .ci/install-packages.sh $(TEST_PACKAGES)

# Every process the tests start carries IMBOLC_TEST_PROCESS in its
# environment; none may outlive the suite. `make test` also marks them with
# its checkout (IMBOLC_TEST_RUN), so another checkout's suite running at the
# same time is not taken for a leftover of this one.
check-leftovers:
	@left=""; for pid in $$(pgrep -x scsynth; pgrep -x jackd); do \
	  env=$$(tr '\0' '\n' 2>/dev/null < /proc/$$pid/environ); \
	  echo "$$env" | grep -q '^IMBOLC_TEST_PROCESS=' || continue; \
	  run=$$(echo "$$env" | sed -n 's/^IMBOLC_TEST_RUN=//p'); \
	  if [ -z "$$run" ] || [ "$$run" = "$(CURDIR)" ]; then left="$$left $$pid"; fi; \
	done; \
	if [ -n "$$left" ]; then echo "tests left scsynth/jackd running:$$left"; ps -o pid,args -p $$(echo $$left | tr ' ' ','); exit 1; fi; \
	echo "no scsynth or jackd left behind by the tests"
