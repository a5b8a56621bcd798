#!/bin/sh
# Installs what aadc-upgrade needs to build and test on Debian 12 or 13 (run as root).
#
# libevtx >= 20240504 is required (20181227, in Debian 12, cannot read records
# without a template). On Debian 12 its packages are downloaded from the trixie
# suite of the mirror this machine already uses, through a private apt list
# used only for that download; nothing is added to the machine's own sources.
set -eu

export DEBIAN_FRONTEND=noninteractive
need_root() { [ "$(id -u)" = 0 ] || { echo "setup-debian.sh: run as root" >&2; exit 1; }; }
need_root

BUILD_PKGS="build-essential autoconf automake pkg-config libsqlite3-dev sqlite3 libjansson-dev libexpat1-dev libarchive-dev libdeflate-dev libssl-dev libbfio-dev mandoc python3 python3-evtx python3-jsonschema ca-certificates"
# Tests of the monitoring outputs: promtool (prometheus), a real browser for the HTML page.
BUILD_PKGS="$BUILD_PKGS prometheus chromium chromium-driver python3-selenium"
# Archives for tests/forms.sh that Python cannot write (7z), and tar, xz, bzip2;
# strace shows that archive members are streamed, not copied into memory.
BUILD_PKGS="$BUILD_PKGS libarchive-tools xz-utils bzip2 strace"
# The clang build of CI (portability) and the fuzzers.
BUILD_PKGS="$BUILD_PKGS clang"
EVTX_PKGS="libevtx1t64 libevtx-dev libevtx-utils"

evtx_ok() {
	pkg-config --atleast-version=20240504 libevtx 2>/dev/null && command -v evtxexport >/dev/null 2>&1
}

missing=""
for p in $BUILD_PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
updated=no
if [ -n "$missing" ] || ! evtx_ok; then
	apt-get update -qq
	updated=yes
fi
[ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing

# clang's sanitizer and libFuzzer runtimes (make fuzz) are only recommended
# by clang, and their package is named after its version.
rt="libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
if ! dpkg-query -W -f='${Status}\n' "$rt" 2>/dev/null | grep -q '^install ok installed'; then
	[ "$updated" = yes ] || apt-get update -qq
	apt-get install -y -qq --no-install-recommends "$rt"
fi

evtx_ok && exit 0

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ "$codename" != "bookworm" ]; then
	# Debian 13 and later ship a new enough libevtx.
	apt-get install -y -qq --no-install-recommends $EVTX_PKGS
	evtx_ok || { echo "setup-debian.sh: libevtx >= 20240504 not available" >&2; exit 1; }
	exit 0
fi

# The mirror this machine already uses for Debian (first "URIs:" or "deb" line).
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "setup-debian.sh: cannot find the Debian mirror in /etc/apt" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/parts"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$work/trixie.list"
opts="-o Dir::Etc::SourceList=$work/trixie.list -o Dir::Etc::SourceParts=$work/parts -o Dir::State::Lists=$work/lists -o Dir::Cache::Archives=$work/archives -o APT::Get::List-Cleanup=0"
# shellcheck disable=SC2086
apt-get $opts update -qq
# shellcheck disable=SC2086
(cd "$work" && apt-get $opts download $EVTX_PKGS)
apt-get install -y -qq --no-install-recommends "$work"/*.deb
evtx_ok || { echo "setup-debian.sh: libevtx >= 20240504 did not install" >&2; exit 1; }
