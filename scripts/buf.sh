#!/usr/bin/env bash
# Runs buf on the bulletin.v1 protos, offline, with the google/api and
# google/rpc protos they import:
#   scripts/buf.sh lint
#   scripts/buf.sh breaking --against IMAGE_OR_INPUT
#   scripts/buf.sh generate --template proto/buf.gen.yaml -o gen
#   scripts/buf.sh build -o bulletin.binpb
#   scripts/buf.sh curl ...            (any other buf command, as it is)
#
# buf, pinned in proto/tools, and google-proto-files, pinned in
# proto/third_party, are installed with npm ci into $BULLETIN_BUF_DIR
# (default build-protos/, kept out of the source tree). buf finds
# imports only inside a workspace, so a workspace is laid out there too:
# buf.work.yaml naming two modules, `bulletin` (a link to the protos: to
# $BULLETIN_PROTO_DIR, default proto/) and `google` (a link to
# google-proto-files). Commands that take an input get the `bulletin`
# module as their input.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
buf_dir="${BULLETIN_BUF_DIR:-$root/build-protos}"
proto_dir="${BULLETIN_PROTO_DIR:-$root/proto}"
workspace="${BULLETIN_BUF_WORKSPACE:-$buf_dir/workspace}"

for packages in tools third_party; do
  cmake -DSOURCE_DIR="$root/proto/$packages" \
    -DBINARY_DIR="$buf_dir/$packages" -P "$root/cmake/npm_ci.cmake" >&2
done
buf="$buf_dir/tools/node_modules/.bin/buf"

mkdir -p "$workspace"
ln -sfn "$(cd "$proto_dir" && pwd)" "$workspace/bulletin"
ln -sfn "$buf_dir/third_party/node_modules/google-proto-files" \
  "$workspace/google"
printf 'version: v1\ndirectories:\n  - bulletin\n  - google\n' \
  >"$workspace/buf.work.yaml"

case "${1:-}" in
  lint | breaking | build | generate | ls-files | format)
    command="$1"
    shift
    exec "$buf" "$command" "$workspace/bulletin" "$@"
    ;;
  *)
    exec "$buf" "$@"
    ;;
esac
