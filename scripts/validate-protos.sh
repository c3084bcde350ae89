#!/usr/bin/env bash
# Checks the bulletin.v1 protos with buf (scripts/buf.sh), offline:
#   1. lint with buf's default rules and the exceptions in proto/buf.yaml;
#   2. no breaking change (buf's FILE rules: generated code, wire and JSON)
#      against the previous main: $BUF_BREAKING_AGAINST if set, else, on a
#      branch ahead of main, where it forked from main (all of the
#      branch's changes), else HEAD~1 (on main, as in CI's fresh clone:
#      the change that the last commit made);
#   3. proto/buf.gen.yaml generates clients;
#   4. docs/api.md's reference is what the protos' comments make
#      (scripts/gen-api-docs.sh --check), and that check itself fails on
#      a proto whose comment changed.
# Exits non-zero on any finding. Intentional breaks need a listed
# exception in proto/buf.yaml's breaking section, with the reason beside
# it.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "== buf lint"
scripts/buf.sh lint

echo "== buf breaking"
against="${BUF_BREAKING_AGAINST:-}"
if [ -z "$against" ]; then
  against="HEAD~1"
  # A branch ahead of main (not main itself, nor a detached HEAD at it).
  if git rev-parse -q --verify main >/dev/null; then
    fork="$(git merge-base HEAD main)"
    if [ "$fork" != "$(git rev-parse HEAD)" ]; then
      against="$fork"
    fi
  fi
fi
if ! git rev-parse -q --verify "$against^{commit}" >/dev/null; then
  echo "no commit $against to compare with: skipped"
elif ! git cat-file -e "$against:proto/bulletin" 2>/dev/null; then
  echo "$against has no proto/bulletin: nothing to break"
elif git diff --quiet "$against" -- proto/bulletin; then
  echo "proto/bulletin is as in $against: nothing to compare"
else
  git archive "$against" proto | tar -x -C "$scratch"
  BULLETIN_PROTO_DIR="$scratch/proto" \
    BULLETIN_BUF_WORKSPACE="$scratch/workspace" \
    scripts/buf.sh build -o "$scratch/against.binpb"
  scripts/buf.sh breaking --against "$scratch/against.binpb"
  echo "no breaking change against $(git rev-parse --short "$against")"
fi

echo "== buf generate (proto/buf.gen.yaml)"
scripts/buf.sh generate --template proto/buf.gen.yaml -o "$scratch/gen" \
  --include-imports
for generated in cpp/bulletin/v1/ingest.grpc.pb.h \
  python/bulletin/v1/query_pb2_grpc.py; do
  if [ ! -s "$scratch/gen/$generated" ]; then
    echo "buf generate made no $generated" >&2
    exit 1
  fi
done
echo "== docs/api.md is current (scripts/gen-api-docs.sh --check)"
scripts/gen-api-docs.sh --check
# The check must catch a proto change: one comment edited in a copy of the
# protos makes the committed docs/api.md stale.
cp -r proto "$scratch/edited"
sed -i '0,/^  \/\/ /s//  \/\/ Edited. /' "$scratch/edited/bulletin/v1/query.proto"
if BULLETIN_PROTO_DIR="$scratch/edited" \
    BULLETIN_BUF_WORKSPACE="$scratch/edited-workspace" \
    scripts/gen-api-docs.sh --check >"$scratch/check.out" 2>&1; then
  echo "scripts/gen-api-docs.sh --check passed a stale docs/api.md" >&2
  exit 1
fi
grep -q "docs/api.md is stale" "$scratch/check.out" || {
  echo "scripts/gen-api-docs.sh --check failed without saying why:" >&2
  cat "$scratch/check.out" >&2
  exit 1
}
echo "protos: lint, breaking, generate and docs/api.md passed"
