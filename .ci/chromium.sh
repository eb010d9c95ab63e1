# shellcheck shell=bash
# Make headless Chromium available for the browser tests of the HTML report
# (tests/browser.py) and export ECOCLUSTER_CHROMIUM. Sourced by .ci/run as root on a
# Debian 12 machine; it can also be run on its own (`bash .ci/chromium.sh`).
#
# Safe to source more than once: it installs Debian's `chromium` package (and DejaVu fonts,
# which have every Vietnamese letter, so screenshots show "Đồng Kỵ" rather than boxes) only
# when no Chromium is found. It changes no shell option of the caller and returns non-zero
# on failure, so a caller running under `set -e` stops there.

_ecocluster_chromium() {
    local candidate found="" version

    if [ -n "${ECOCLUSTER_CHROMIUM:-}" ]; then
        found=$(command -v "$ECOCLUSTER_CHROMIUM" 2>/dev/null) || found=""
        if [ -z "$found" ]; then
            echo "chromium.sh: ECOCLUSTER_CHROMIUM=$ECOCLUSTER_CHROMIUM is not an executable" >&2
            return 1
        fi
    fi
    if [ -z "$found" ]; then
        for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
            if command -v "$candidate" >/dev/null 2>&1; then
                found=$(command -v "$candidate")
                break
            fi
        done
    fi
    if [ -z "$found" ]; then
        echo "chromium.sh: installing Chromium from Debian packages" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core \
            >/dev/null || return 1
        found=$(command -v chromium 2>/dev/null) || found=""
        if [ -z "$found" ]; then
            echo "chromium.sh: the chromium package installed no chromium command" >&2
            return 1
        fi
    fi
    # Debian's /usr/bin/chromium is a wrapper script that may complain on stderr about the
    # machine; only the version line matters.
    version=$("$found" --version 2>/dev/null) || version=""
    if [ -z "$version" ]; then
        echo "chromium.sh: $found --version failed" >&2
        return 1
    fi
    export ECOCLUSTER_CHROMIUM="$found"
    echo "chromium.sh: $version ($found)" >&2
}

_ecocluster_chromium
_ecocluster_chromium_status=$?
unset -f _ecocluster_chromium
if [ "$_ecocluster_chromium_status" -ne 0 ]; then
    unset _ecocluster_chromium_status
    echo "chromium.sh: could not provide Chromium for the browser tests" >&2
    return 1 2>/dev/null || exit 1
fi
unset _ecocluster_chromium_status
