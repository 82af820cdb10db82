# shellcheck shell=bash
# tests/lib/lab-reaper.bash OWNER_PID OWNER_START LAB_DIR LAB_PREFIX
#
# Started by lab_init in its own session. Waits while the process that made
# the lab is alive and the lab exists; if the owner dies first (crash,
# SIGKILL, a bats run interrupted hard) it removes the lab itself. A normal
# lab_cleanup kills it, or it notices $LAB_DIR is gone and leaves.
owner=$1 owner_start=$2
export LAB_DIR=$3 LAB_PREFIX=$4

owner_alive() {
	local s
	s=$(cat "/proc/$owner/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	# a zombie (PID 1 here does not reap) or a reused pid counts as dead
	[[ $1 != [ZX] && ${20} == "$owner_start" ]]
}

while owner_alive && [[ -d $LAB_DIR ]]; do
	sleep 0.5
done
[[ -d $LAB_DIR ]] || exit 0

# shellcheck source=lab.bash
source "$(dirname "${BASH_SOURCE[0]}")/lab.bash"
_LAB_IN_REAPER=1
lab_cleanup --force
