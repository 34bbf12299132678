#!/usr/bin/env bash
# Install the Label Studio server in its own virtual environment, apart from the package's environment
# (label-studio pins its own numpy, pyarrow and Django). Idempotent: a venv that already runs the pinned
# version is left as it is.
#
#   bash scripts/install-label-studio.sh            # -> .venv-label-studio/ in the checkout
#   STANCETRACK_LABEL_STUDIO_VENV=/opt/ls bash scripts/install-label-studio.sh
#
# stancetrack finds the server at $STANCETRACK_LABEL_STUDIO_VENV/bin/label-studio (same default).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${LABEL_STUDIO_VERSION:-1.23.2}"
VENV="${STANCETRACK_LABEL_STUDIO_VENV:-$PWD/.venv-label-studio}"
PYTHON="${PYTHON:-python3}"

installed() {
  [ -x "$VENV/bin/label-studio" ] &&
    [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("label-studio"))' 2>/dev/null)" = "$VERSION" ]
}

if installed; then
  echo "label-studio $VERSION is already installed in $VENV"
  exit 0
fi
echo "installing label-studio $VERSION into $VENV (a few minutes the first time)"
quiet_pip() {  # pip, without the warnings about extra index folders this machine's pip.conf may name
  "$VENV/bin/python" -m pip "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
"$PYTHON" -m venv "$VENV"
quiet_pip install --quiet --disable-pip-version-check "label-studio==$VERSION"
installed || { echo "label-studio did not install into $VENV" >&2; exit 1; }
echo "label-studio $VERSION installed in $VENV"
