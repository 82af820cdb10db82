#!/bin/sh
# setcap.sh CAPS FILE — give an installed binary its file capabilities, or
# say clearly why that was not possible (not root, no xattr support, no
# setcap) without failing the install.
caps=$1 file=$2
if ! command -v setcap >/dev/null 2>&1; then
	echo "note: setcap not found (Debian: libcap2-bin); run as root: setcap $caps $file" >&2
elif setcap "$caps" "$file" 2>/dev/null; then
	echo "setcap $caps $file"
else
	echo "note: could not set $caps on $file (need root and a filesystem with xattrs); as root run: setcap $caps $file" >&2
fi
exit 0
