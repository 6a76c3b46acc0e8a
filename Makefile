# MusicVAE for Swift: set-up, build, main job and tests.
#   make demo   install system packages (apt-get), build in release mode, run the main job on a bundled example
#   make test   install system packages, run the whole test suite
SHELL := /bin/bash
APT_PACKAGES := pkg-config libopenblas-dev libfluidsynth-dev libsndfile1-dev timgm6mb-soundfont fluidsynth chromium chromium-driver curl openmpi-bin libopenmpi-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MUSICVAE := .build/release/musicvae
EXAMPLE := Examples/melodies/ode-to-joy.mid
OUT := out

.PHONY: setup build demo test bench fuzz contract

# Installs the Debian packages the build and the tests need; does nothing when they are all present.
setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: setup
	swift build -c release

# The main job: "more notes" on a bundled tune with the bundled 2-bar model, written as MIDI, rendered to WAV,
# and a listening report (piano rolls and audio of the original and the edit) in out/report/index.html.
demo: build
	@mkdir -p $(OUT)
	$(MUSICVAE) inspect $(EXAMPLE)
	$(MUSICVAE) edit $(EXAMPLE) --attribute note_density --amount 1.0 -o $(OUT)/ode-to-joy-more-notes.mid --wav $(OUT)/ode-to-joy-more-notes.wav
	$(MUSICVAE) run more-notes $(EXAMPLE) --set output=$(OUT)/{stem}-more-notes.mid --report $(OUT)/report
	@echo "listen: $(OUT)/ode-to-joy-more-notes.wav   look: $(OUT)/report/index.html"

# The whole test suite (Swift Testing; release mode, since the corpus tests do real work).
test: setup
	swift build -c release --build-tests -Xswiftc -enable-testing
	swift test -c release --disable-xctest -Xswiftc -enable-testing

# Benchmarks print ratios against baselines measured in the same run.
bench: build
	bash Benchmarks/run-midi-bench.sh ../shared/corpus/folk
	swift run -c release --package-path Benchmarks render-bench
	swift run -c release --package-path Benchmarks nn-bench
	swift run -c release --package-path Benchmarks latent-eval

# The command-line contract shared with outside tools.
contract: build
	../shared/contract/check-cli.sh $(MUSICVAE)
