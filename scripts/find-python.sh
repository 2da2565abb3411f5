#!/usr/bin/env bash
# Print the path of a Python >= 3.12 to build .venv with, or explain what to install.
# Order: $PYTHON, the pyenv version named in .python-version, python3.13, python3.12, python3.
set -u
cd "$(dirname "$0")/.."

ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1 && [ -f .python-version ]; then
  p="$(pyenv root)/versions/$(tr -d '[:space:]' < .python-version)/bin/python3"
  candidates+=("$p")
fi
candidates+=(python3.13 python3.12 python3)

for c in "${candidates[@]}"; do
  if command -v "$c" >/dev/null 2>&1 && ok "$c"; then
    command -v "$c"
    exit 0
  fi
done
echo "shangmi needs Python 3.12 or newer (3.13 preferred) and found none." >&2
echo "Install one, e.g. 'pyenv install 3.13' (then this folder's .python-version selects it)," >&2
echo "or 'apt-get install python3.13', or set PYTHON=/path/to/python3.13." >&2
exit 1
