#!/usr/bin/env bash
# Regenerate the expected-output files of the gilsim behaviour corpus from CPython.
#
# Usage: tests/corpus/regen.sh [SUBSTRING]      (from anywhere; PYTHON=python3.11 to pick the interpreter)
#
# For every tests/corpus/**/NAME.py (only those whose path contains SUBSTRING, if given) it runs
#     python3 tests/corpus/<dir>/NAME.py
# from the repository root, with stdin from /dev/null and the same environment the Rust runner
# (tests/corpus.rs) uses, and writes:
#   NAME.out       exact stdout (always written, possibly empty)
#   NAME.code      exit status, only when it is not 0
#   NAME.err       stderr, when the exit status is not 0 or stderr is non-empty
#   NAME.err_last  instead of NAME.err, for scripts containing the line "# corpus: err_last":
#                  only the last non-empty line of stderr
# Absolute paths of the repository root ("<root>/") are removed from stderr, so tracebacks read
# File "tests/corpus/<dir>/NAME.py", whatever the checkout location.
# Expected files are never edited by hand: change the script and rerun this.
set -euo pipefail

cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
filter=${1:-}

if ! "$PY" --version >/dev/null 2>&1; then
    echo "regen.sh: $PY not found" >&2
    exit 1
fi
version=$("$PY" --version 2>&1)
case "$version" in
    "Python 3.11."*) ;;
    *) echo "regen.sh: warning: expectations are meant to come from CPython 3.11, got $version" >&2 ;;
esac

export GILSIM_CORPUS_MARKER=corpus
export PYTHONIOENCODING=utf-8
export PYTHONUTF8=1
export PYTHONDONTWRITEBYTECODE=1
unset PYTHONSTARTUP PYTHONPATH PYTHONHASHSEED || true

tmp_err=$(mktemp)
trap 'rm -f "$tmp_err"' EXIT

count=0
while IFS= read -r py; do
    if [[ -n "$filter" && "$py" != *"$filter"* ]]; then
        continue
    fi
    base=${py%.py}
    rm -f "$base.out" "$base.err" "$base.err_last" "$base.code"
    set +e
    timeout 120 "$PY" "$py" >"$base.out" 2>"$tmp_err" </dev/null
    code=$?
    set -e
    if [[ $code -eq 124 ]]; then
        echo "regen.sh: $py timed out" >&2
        exit 1
    fi
    # Strip the repository root (logical and physical spellings) from stderr.
    "$PY" - "$tmp_err" "$(pwd -L)" "$(pwd -P)" <<'EOF'
import sys
path, *roots = sys.argv[1:]
with open(path, encoding="utf-8", errors="surrogateescape") as f:
    text = f.read()
for root in sorted(set(roots), key=len, reverse=True):
    text = text.replace(root.rstrip("/") + "/", "")
with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write(text)
EOF
    if grep -q '^# corpus: err_last$' "$py"; then
        last=$(grep -v '^[[:space:]]*$' "$tmp_err" | tail -n 1 || true)
        printf '%s\n' "$last" >"$base.err_last"
    elif [[ $code -ne 0 || -s "$tmp_err" ]]; then
        cp "$tmp_err" "$base.err"
    fi
    if [[ $code -ne 0 ]]; then
        echo "$code" >"$base.code"
    fi
    count=$((count + 1))
    printf '%-60s exit %s\n' "$py" "$code"
done < <(find tests/corpus -name '*.py' -type f | LC_ALL=C sort)

echo "regenerated expectations for $count scripts with $version"
