#!/usr/bin/env bash
# Print the path of a Python that Rasa 3.6 can run on (3.10, else 3.9 or 3.8).
# Looks at $PYTHON, the PATH, pyenv and the usual install places.
set -u
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for v in 3.10 3.9 3.8; do
  candidates+=("python$v")
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/"$v".*/bin/python"$v"; do candidates+=("$p"); done
  fi
  for p in "$HOME"/.pyenv/versions/"$v".*/bin/python"$v" /usr/local/bin/python"$v" /usr/bin/python"$v"; do
    candidates+=("$p")
  done
done
for c in "${candidates[@]}"; do
  path=$(command -v "$c" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.8-3.10 found. Rasa Open Source 3.6 (the last open-source Rasa) runs only on
Python 3.8, 3.9 or 3.10; the system python3 is too new.
Install one, then run make again:
  - with pyenv:  pyenv install 3.10.13
  - on Debian/Ubuntu with a 3.10 package: apt-get install python3.10 python3.10-venv
or point at an existing one:  make PYTHON=/path/to/python3.10
MSG
exit 1
