#!/bin/sh
# tests/fuzz.sh SECONDS NAME... — build each libFuzzer harness (via make),
# run it for SECONDS on a scratch copy of its seed corpus, and print one
# line per harness with its execution rate.  Exits 1 if any harness found
# a crash, leak or sanitizer error (the scratch directory with the log and
# the crashing input is then kept and named), 2 on a usage or build error.
set -u

usage() { echo "usage: $0 SECONDS NAME..." >&2; exit 2; }
[ $# -ge 2 ] || usage
secs=$1
shift
case $secs in ''|*[!0-9]*) usage ;; esac

cd "$(dirname "$0")/.." || exit 2
targets=
for name in "$@"; do targets="$targets fuzz/bin/$name"; done
# shellcheck disable=SC2086
make --no-print-directory -s $targets || { echo "fuzz: build failed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/netdiag-fuzz.XXXXXX") || exit 2
failed=0 nfailed=0 npassed=0
for name in "$@"; do
	corpus=$work/$name.corpus
	mkdir -p "$corpus"
	if [ -d "fuzz/corpus/$name" ]; then
		cp fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	fi
	log=$work/$name.log
	"fuzz/bin/$name" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$work/$name-" "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ $rc -eq 0 ]; then
		printf '%-12s ok     %s s, %s runs, %s exec/s\n' "$name" "$secs" "${runs:-?}" "${rate:-?}"
		npassed=$((npassed + 1))
	else
		failed=1
		nfailed=$((nfailed + 1))
		printf '%-12s FAILED (exit %d), %s runs, %s exec/s\n' "$name" "$rc" "${runs:-?}" "${rate:-?}"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 | sed 's/^/    /'
		for a in "$work/$name"-*; do
			[ -e "$a" ] && echo "    input: $a (reproduce: fuzz/bin/$name $a)"
		done
		echo "    log:   $log"
	fi
done
[ $failed -eq 0 ] && rm -rf "$work"
echo "$npassed passed, $nfailed failed"
exit $failed
