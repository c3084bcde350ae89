#!/usr/bin/env bash
# Installs what building and testing Bulletin needs, from Debian 12's own
# packages. Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  grpc-proto libabsl-dev libleveldb-dev libnats-dev nats-server libsnappy-dev libicu-dev libssl-dev
  libzstd-dev zlib1g-dev
  # bench/scale/run.sh polls /readyz with it.
  curl
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
  clang libclang-rt-14-dev
  prometheus
  # The search page's browser test (tests/web): headless Chromium, and a
  # CJK font so its screenshots show Chinese, not boxes.
  chromium fonts-wqy-microhei
  # The Python client test (tests/client): gRPC and protobuf for Debian's
  # python3. Its stubs come from protoc and grpc_python_plugin above:
  # python3-grpc-tools' own protoc is too old for proto3 `optional`.
  # scripts/gen-api-docs.py (docs/api.md's reference) reads the protos'
  # descriptors with python3-protobuf too.
  python3-grpcio python3-protobuf
)
# npm fetches the google/api and google/rpc protos at configure time
# (proto/third_party) and puppeteer-core for the browser test. Only when
# missing: a machine whose Node.js did not come from Debian cannot take
# Debian's nodejs and npm beside it.
if ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
  --no-install-recommends "${missing[@]}"
