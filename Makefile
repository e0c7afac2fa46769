# Stellina: a thin layer over CMake. `make run` boots the system, `make test` runs every test.
# Both install what they need first (tools/setup.sh), so a fresh Debian 12 machine needs nothing else.

BUILD   ?= build
MACHINE ?= microvm        # microvm | q35
PORT    ?= 8080           # make run: host port forwarded to the guest's HTTP port (80)
TELNET_PORT ?= 2323       # make run: host port forwarded to the guest's telnet port (23)
REMOTE  ?= on             # make run: the remote shells (telnet, the web terminal): on | off
JOBS    ?= $(shell nproc)
# make serve-vms (tools/serve_vms.py) listens on PORT too; POOL: VMs booted ahead of
# requests; MAX_VMS: VMs at most at once; FULL=1: each VM boots the whole system (what make
# run boots) instead of the serving one (build/system-web: the network path and httpd)
POOL    ?= 0
MAX_VMS ?= 4
FULL    ?=

# ccache: a rebuild of unchanged sources (a new clone, a new build directory) is a cache hit.
CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_ASM_COMPILER=clang-14 \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

.PHONY: all setup configure build run serve-vms test iso bench fuzz format tidy clean clean-disk

all: build

setup:
	@tools/setup.sh

configure: setup
	@[ -f $(BUILD)/build.ninja ] || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	@ln -sfn $(BUILD)/compile_commands.json compile_commands.json

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Boots the normal kernel with the serial console on this terminal; returns at shutdown.
# QEMU's user network, with host ports on 127.0.0.1 forwarded to the guest: $(PORT) to its
# HTTP port (80), $(TELNET_PORT) to its telnet port (23); and the persistent disk
# $(BUILD)/disk.img (ext2, made on the first run) mounted at /. The remote shells are turned
# on in the disk's /etc/term.conf, with the password kept in $(BUILD)/remote-password (made
# on the first run) and printed (tools/remote_shells.py; REMOTE=off turns them off).
run: build
	@tools/mkdisk.sh $(BUILD)/disk.img
	@python3 tools/remote_shells.py $(BUILD)/disk.img $(BUILD)/remote-password \
	  --host-telnet $(strip $(TELNET_PORT)) --host-http $(strip $(PORT)) \
	  $(if $(filter off,$(strip $(REMOTE))),--off)
	@python3 tools/qemu_run.py --interactive --machine $(strip $(MACHINE)) --kernel $(BUILD)/kernel/stellina.elf \
	  --initrd $(BUILD)/user/system.archive --net user --forward $(strip $(PORT)):80 \
	  --forward $(strip $(TELNET_PORT)):23 --disk $(BUILD)/disk.img

# A fresh Stellina microVM for every connection to 127.0.0.1:$(PORT), killed when the
# connection closes (tools/serve_vms.py --help for the other options). Ctrl-C stops it.
serve-vms: build
	@python3 tools/serve_vms.py --port $(strip $(PORT)) --pool $(strip $(POOL)) \
	  --max-vms $(strip $(MAX_VMS)) $(if $(strip $(FULL)),--full)

# Host unit tests, in-kernel tests and QEMU integration tests, all through CTest.
test: build
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 300

iso: configure
	@cmake --build $(BUILD) --target iso
	@echo "$(BUILD)/stellina.iso"

bench: build
	@python3 bench/run.py

# The libFuzzer targets of tests/fuzz, into $(BUILD)/fuzz (make test runs each for a few
# seconds; python3 bench/run.py fuzz for 1,000,000 inputs each).
fuzz: configure
	@cmake --build $(BUILD) --target fuzzers

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: configure
	@tools/lint.sh tidy $(BUILD)

clean:
	rm -rf $(BUILD)

# A fresh disk at the next make run (what was written on the old one is lost).
clean-disk:
	rm -f $(BUILD)/disk.img
