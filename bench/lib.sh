# shellcheck shell=bash
# bench/lib.sh - helpers shared by the benchmarks in bench/ (sourced, not run).
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
#   bench_need CMD...             every CMD is on PATH (or an executable path), else a
#                                 "bench: ..." message naming the missing ones; returns 1
#   bench_clock                   "monotonic" (perl Time::HiRes) or "realtime" (bash's
#                                 $EPOCHREALTIME fallback): what bench_measure times with
#   bench_now                     seconds on that clock, as a decimal (for coarse uses:
#                                 it costs a process start with perl)
#   bench_measure [-n NETNS] OUT CMD...
#                                 run CMD (inside NETNS with ip netns exec, when given) and
#                                 write OUT.out (stdout), OUT.err (stderr), OUT.wall (wall
#                                 seconds, clock above, taken around the fork/exec of CMD
#                                 only, so ip netns exec and the timer's own start-up are
#                                 not counted), OUT.rss (peak RSS of CMD in KB, from
#                                 /usr/bin/time -f %M) and OUT.rc; OUT.t0/OUT.t1 hold the
#                                 realtime (epoch) start and end, to line the run up with
#                                 packet captures. Returns CMD's exit status (128+N when a
#                                 signal killed it).
#   bench_median / bench_max / bench_min / bench_mean
#                                 of the numbers on stdin (one per line, blanks ignored);
#                                 print nothing when there are none
#   bench_ratio A B [DIGITS]      A/B with DIGITS decimals (2); "n/a" when either is not a
#                                 number, "inf" when B is 0 and A is not, "n/a" for 0/0
#   bench_fmt X [DIGITS]          X with DIGITS decimals (0), or "n/a" when X is not a number
#   bench_goal RATIO OP LIMIT     "ok" or "MISSED" (OP: ge|le), "?" when RATIO is n/a
#   bench_table W1 W2 ... -- CELL... print CELLs as one row, first column left-aligned in
#                                 W1, the others right-aligned in W2...
#
# Peak RSS needs GNU time at /usr/bin/time (Debian package "time", in the Makefile's
# deps); bench_need /usr/bin/time says so when it is missing. Nothing here installs
# anything.

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	# `make bench` runs every bench/*.sh; this one only holds helpers
	echo "bench/lib.sh: helpers for the benchmarks (sourced by them); nothing to run"
	exit 0
fi


_bench_err() { echo "bench: $*" >&2; }

bench_need() {
	local c missing=()
	for c in "$@"; do
		if [[ $c == */* ]]; then
			[[ -x $c ]] || missing+=("$c")
		else
			command -v -- "$c" >/dev/null 2>&1 || missing+=("$c")
		fi
	done
	if ((${#missing[@]})); then
		local m
		for m in "${missing[@]}"; do
			case $m in
			/usr/bin/time) _bench_err "missing /usr/bin/time (GNU time, Debian package 'time', listed in the Makefile's deps: make deps)" ;;
			*) _bench_err "missing $m" ;;
			esac
		done
		return 1
	fi
	return 0
}

# The timer: perl with Time::HiRes reads CLOCK_MONOTONIC around fork/exec/wait.
# Time::HiRes ships with Debian's full perl (libperl), which build-essential pulls in.
# shellcheck disable=SC2016 # perl code, not shell
_BENCH_TIMER='
use strict; use warnings; no warnings "exec";
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
use POSIX ();
my $base = shift @ARGV;
my ($r0, $m0) = (Time::HiRes::time(), clock_gettime(CLOCK_MONOTONIC));
my $pid = fork();
die "bench timer: fork: $!\n" unless defined $pid;
if ($pid == 0) {
	exec { $ARGV[0] } @ARGV;
	print STDERR "bench timer: exec $ARGV[0]: $!\n";
	POSIX::_exit(127);
}
$SIG{INT} = $SIG{QUIT} = "IGNORE";  # the child decides what Ctrl-C means; we report it
waitpid($pid, 0);
my $st = $?;
my ($m1, $r1) = (clock_gettime(CLOCK_MONOTONIC), Time::HiRes::time());
for (["wall", sprintf("%.6f", $m1 - $m0)], ["t0", sprintf("%.6f", $r0)], ["t1", sprintf("%.6f", $r1)]) {
	open(my $fh, ">", "$base.$_->[0]") or die "bench timer: $base.$_->[0]: $!\n";
	print $fh "$_->[1]\n";
	close($fh);
}
exit($st & 127 ? 128 + ($st & 127) : $st >> 8);
'

bench_clock() {
	if [[ -z ${_BENCH_CLOCK:-} ]]; then
		if perl -MTime::HiRes=clock_gettime,CLOCK_MONOTONIC -e 'clock_gettime(CLOCK_MONOTONIC)' 2>/dev/null; then
			_BENCH_CLOCK=monotonic
		else
			_BENCH_CLOCK=realtime
		fi
	fi
	echo "$_BENCH_CLOCK"
}

bench_now() {
	if [[ $(bench_clock) == monotonic ]]; then
		perl -MTime::HiRes=clock_gettime,CLOCK_MONOTONIC -e 'printf "%.6f\n", clock_gettime(CLOCK_MONOTONIC)'
	else
		echo "${EPOCHREALTIME/,/.}"
	fi
}

bench_measure() {
	local -a pre=()
	if [[ ${1:-} == -n ]]; then
		pre=(ip netns exec "$2")
		shift 2
	fi
	local out=${1:-}
	shift || true
	if [[ -z $out || $# -eq 0 ]]; then _bench_err "usage: bench_measure [-n NETNS] OUT CMD..."; return 2; fi
	rm -f "$out".{out,err,wall,rss,rc,t0,t1}
	local rc=0
	if [[ $(bench_clock) == monotonic ]]; then
		"${pre[@]}" perl -e "$_BENCH_TIMER" "$out" /usr/bin/time -f '%M' -o "$out.rss" -- "$@" \
			>"$out.out" 2>"$out.err" </dev/null || rc=$?
	else
		local t0=${EPOCHREALTIME/,/.} t1
		"${pre[@]}" /usr/bin/time -f '%M' -o "$out.rss" -- "$@" >"$out.out" 2>"$out.err" </dev/null || rc=$?
		t1=${EPOCHREALTIME/,/.}
		echo "$t0" >"$out.t0"
		echo "$t1" >"$out.t1"
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >"$out.wall"
	fi
	# GNU time writes "Command exited with non-zero status N" / "Command terminated by
	# signal N" before the format's line: keep the number only
	if [[ -f $out.rss ]]; then
		local kb
		kb=$(awk '/^[0-9]+$/ { v = $0 } END { print v }' "$out.rss")
		echo "$kb" >"$out.rss"
	fi
	echo "$rc" >"$out.rc"
	return "$rc"
}

# ------------------------------------------------------------------ numbers

_BENCH_NUM_RE='^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'

bench_median() {
	grep -E '^[[:space:]]*-?[0-9.]+' | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) exit
			if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.6f\n", m
		}'
}

bench_max() { awk 'NF && (n == 0 || $1 > m) { m = $1; n = 1 } END { if (n) printf "%.6f\n", m }'; }
bench_min() { awk 'NF && (n == 0 || $1 < m) { m = $1; n = 1 } END { if (n) printf "%.6f\n", m }'; }
bench_mean() { awk 'NF { s += $1; n++ } END { if (n) printf "%.6f\n", s / n }'; }

bench_ratio() {
	local a=${1:-} b=${2:-} d=${3:-2}
	if [[ ! $a =~ $_BENCH_NUM_RE || ! $b =~ $_BENCH_NUM_RE ]]; then echo n/a; return 0; fi
	awk -v a="$a" -v b="$b" -v d="$d" 'BEGIN {
		if (b + 0 == 0) { print (a + 0 == 0 ? "n/a" : "inf"); exit }
		printf "%.*f\n", d, a / b
	}'
}

bench_fmt() {
	local x=${1:-} d=${2:-0}
	if [[ ! $x =~ $_BENCH_NUM_RE ]]; then echo n/a; return 0; fi
	awk -v x="$x" -v d="$d" 'BEGIN { printf "%.*f\n", d, x }'
}

bench_goal() {
	local r=${1:-} op=${2:-} lim=${3:-}
	if [[ $r == inf ]]; then
		if [[ $op == ge ]]; then echo ok; else echo MISSED; fi
		return 0
	fi
	if [[ ! $r =~ $_BENCH_NUM_RE ]]; then echo '?'; return 0; fi
	awk -v r="$r" -v l="$lim" -v op="$op" 'BEGIN {
		ok = (op == "ge") ? (r >= l) : (r <= l)
		print (ok ? "ok" : "MISSED")
	}'
}

bench_table() {
	local -a w=()
	while (($#)) && [[ $1 != -- ]]; do w+=("$1"); shift; done
	shift || true
	local i line='' cell
	for ((i = 0; $# > 0; i++)); do
		cell=$1
		shift
		local wi=${w[i]:-${w[-1]:-10}}
		if ((i == 0)); then
			line+=$(printf '%-*s' "$wi" "$cell")
		else
			line+=$(printf ' %*s' "$wi" "$cell")
		fi
	done
	printf '%s\n' "$line"
}
