#!/usr/bin/env bash
# Regenerates the reference part of docs/api.md (between its BEGIN and END
# GENERATED REFERENCE marker lines) from the comments in proto/bulletin/v1;
# the rest of docs/api.md is hand-written and kept as it is.
#   scripts/gen-api-docs.sh                 rewrites docs/api.md
#   scripts/gen-api-docs.sh --check [DOC]   exits 1, with the difference,
#                                           when DOC (default docs/api.md)
#                                           is not what the protos make
# Whoever changes a proto's comments, fields or RPCs runs it and commits
# docs/api.md with the change; CI (scripts/validate-protos.sh) runs
# --check. The protos are read through buf (scripts/buf.sh build: a
# descriptor set with the source comments), the doc written by
# scripts/gen-api-docs.py with Debian's python3-protobuf.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

check=false
doc="$root/docs/api.md"
if [ "${1:-}" = "--check" ]; then
  check=true
  doc="${2:-$doc}"
elif [ $# -gt 0 ]; then
  echo "usage: scripts/gen-api-docs.sh [--check [DOC]]" >&2
  exit 2
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$root/scripts/buf.sh" build -o "$scratch/image.binpb"
# Debian's python3, where python3-protobuf is installed (another python3
# may come first on PATH).
/usr/bin/python3 "$root/scripts/gen-api-docs.py" "$scratch/image.binpb" \
  "$doc" >"$scratch/api.md"

if ! $check; then
  cp "$scratch/api.md" "$doc"
  exit 0
fi
if ! diff -u --label "$doc (committed)" --label "$doc (from the protos)" \
    "$doc" "$scratch/api.md" >"$scratch/diff"; then
  head -n 40 "$scratch/diff" >&2
  echo "docs/api.md is stale: run scripts/gen-api-docs.sh and commit" \
    "docs/api.md with the proto change" >&2
  exit 1
fi
echo "docs/api.md is current"
