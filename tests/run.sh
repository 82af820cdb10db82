#!/usr/bin/env bash
# run.sh UNIT_BIN... — the whole test suite: C unit tests (TAP), then every
# tests/NN-*.bats file (TAP), with one summary line at the end:
#   N passed, N failed
# ND_BUILD points at the build tree whose binaries the bats tests run
# (the repository root normally, build/asan under `make asan`).
# ND_TESTS may name a subset of bats files (e.g. ND_TESTS=tests/10-ping.bats).
set -u
cd "$(dirname "$0")/.."
export ND_BUILD=${ND_BUILD:-$PWD}
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() {   # count TAP lines of one producer's output (in $log)
	local p f s
	p=$(grep -cE '^ok [0-9]+' "$log")
	s=$(grep -cE '^ok [0-9]+.*# (skip|SKIP)' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f))
}

for t in "$@"; do
	echo "== unit: ${t##*/}"
	if ! timeout 120 "$t" >"$log" 2>&1 && ! grep -q '^not ok' "$log"; then
		echo "not ok 1 - ${t##*/} crashed or exited non-zero" >>"$log"
	fi
	cat "$log"
	count
done

if [ "$(id -u)" -ne 0 ]; then
	echo "# the end-to-end tests need root (they create network namespaces): run make check as root"
	echo "not ok 1 - end-to-end tests need root"
	failed=$((failed + 1))
else
	for f in ${ND_TESTS:-tests/[0-9][0-9]-*.bats}; do
		[ -f "$f" ] || continue
		echo "== bats: $f"
		timeout 900 bats --tap "$f" >"$log" 2>&1
		cat "$log"
		count
	done
fi

leftover=$(ip netns list 2>/dev/null | grep -c '^nd' || true)
[ "$leftover" -eq 0 ] || echo "# warning: $leftover namespace(s) named nd* are still present"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
