#!/bin/sh
# deps.sh PACKAGE... — install the Debian packages the build, the tests
# and the lab need.  Idempotent: packages already installed are reported
# and skipped; apt-get update runs once, and only when something is missing.
set -eu
missing=""
for p in "$@"; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		:
	else
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all $# packages already installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing — run 'make deps' as root (apt-get install)" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
