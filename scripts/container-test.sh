#!/usr/bin/env bash
# Runs the Kubernetes overlays for real on one machine: builds the images
# from deploy/docker/ (ingest, query, NATS) and checks they hold no shell
# and no package manager, then for each overlay (dev, prod) renders it with
# `kubectl kustomize`, pinned to those images by digest as docs/operations.md
# says to pin them, reduces the render to what `podman kube play` (Debian
# 12's podman 4.3.1) can run (deploy/validate/kube-play.mjs, which prints
# every reduction: Services become host aliases, Secrets files laid out as
# the kubelet does, probes checked from here), plays it with the prod TLS
# component's Secrets (made here with openssl), as uid 10001 with read-only
# root file systems, and then:
#   - waits until every pod answers /readyz (NATS: /healthz);
#   - submits an example with bulletinctl and finds it in Search;
#   - restarts the ingest pod, the query pod and (prod) a NATS pod, waits
#     until they are ready again, finds the bulletin again and submits and
#     finds a second one;
#   - runs the preStop exec hooks (NATS's lame duck) as the kubelet would,
#     without a shell;
#   - tears everything down and checks that no pod, volume or network of
#     the run is left.
#
#   scripts/container-test.sh [dev|prod ...]     (default: dev prod)
#
# Needs root; installs podman, runc, debootstrap and iptables with apt-get
# when missing; kubectl, node and openssl as scripts/validate-deploy.sh.
# No registry: the bookworm base image is made locally (debootstrap from the
# Debian mirror this machine's apt sources name, podman import), and the
# build reaches npm with this machine's CA bundle. BASE_ROOTFS_CACHE
# (default /var/tmp/bulletin-base-rootfs) keeps the debootstrapped tree;
# podman's layer cache keeps the build, so a second run rebuilds nothing.
#
# Not in CI (scripts/test.sh): the images compile the services in their
# build stage, which alone takes longer than CI's budget allows. Run it
# before changing deploy/; docs/operations.md records the last result.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
overlays=("$@")
[ ${#overlays[@]} -gt 0 ] || overlays=(dev prod)

base_image=localhost/bulletin-base:bookworm-slim
rootfs=${BASE_ROOTFS_CACHE:-/var/tmp/bulletin-base-rootfs}
tag=test

step() { echo "== $(( $(date +%s) - start ))s: $*"; }
fail() {
  echo "container-test: $*" >&2
  exit 1
}

missing=()
for package in podman runc debootstrap uidmap iptables openssl curl; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi
command -v kubectl >/dev/null || fail "kubectl not found on PATH"
if [ ! -d deploy/validate/node_modules/yaml ]; then
  (cd deploy/validate && npm ci --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d)
# Podman's settings for this run only: the open-file and process limits of
# this shell (podman's defaults are above what a sandboxed runner may set:
# "error setting rlimits"), and runc, which runs on cgroup v1 and hybrid
# hosts where crun refuses to.
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$work/containers.conf"

# What the current overlay's run made, for teardown; plan.json says what
# deploy/validate/kube-play.mjs reduced it to.
play_file="" network="" plan=""
# plan_list pods|volumes|hosts|reductions|hooks|ips: one line each.
plan_list() {
  [ -n "$plan" ] || return 0
  node -e '
    const plan = JSON.parse(require("fs").readFileSync(process.argv[1]));
    const lines = {
      pods: plan.pods.map((p) => `${p.workload} ${p.name} ${p.ip} ${p.grace}`),
      volumes: plan.volumes,
      hosts: plan.hosts.flatMap((h) =>
        h.hostnames.map((name) => `--add-host=${name}:${h.ip}`)),
      reductions: plan.reductions,
      hooks: plan.hooks.map((h) => [h.container, ...h.command].join(" ")),
      ips: plan.pods.map((p) => `--ip=${p.ip}`),
    }[process.argv[2]];
    for (const line of lines) console.log(line);' "$plan" "$1"
}
teardown() {
  if [ -n "$play_file" ]; then
    podman kube down "$play_file" >/dev/null 2>&1 || true
    # kube play makes a volume per claim.
    plan_list volumes | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  fi
  if [ -n "$network" ]; then
    podman network rm -f "$network" >/dev/null 2>&1 || true
  fi
  play_file="" network="" plan=""
}
cleanup() {
  teardown
  rm -rf "$work"
}
trap cleanup EXIT

# --- Images ---------------------------------------------------------------

if ! podman image exists "$base_image"; then
  if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
    # The first Debian mirror this machine's apt sources name (deb822 or
    # one-line form).
    mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk '/^URIs:/ {print $2; exit}')
    [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' \
      /etc/apt/sources.list 2>/dev/null)
    [ -n "$mirror" ] || fail "no Debian mirror in this machine's apt sources"
    step "debootstrap bookworm from $mirror into $rootfs"
    rm -rf "$rootfs.partial"
    debootstrap --variant=minbase bookworm "$rootfs.partial" "$mirror" >/dev/null
    mv "$rootfs.partial" "$rootfs"
  fi
  step "import $base_image"
  tar -C "$rootfs" -c . | podman import - "$base_image" >/dev/null
fi

# Build context: the files the Dockerfiles copy, nothing else (the work
# tree holds build directories of several GB).
context="$work/context"
mkdir -p "$context"
git ls-files -z --cached --others --exclude-standard CMakeLists.txt cmake \
  proto common ingest-service query-service cli client data \
  deploy/docker/runtime-rootfs.sh | tar --null -T - -c | tar -x -C "$context"
# npm runs in the build stage (configure fetches the google protos): give it
# this machine's CA bundle, which trusts whatever proxy this machine's own
# npm goes through.
printf 'cafile=/run/host-ca.crt\n' >"$work/npmrc"
build_trust=(-v /etc/ssl/certs/ca-certificates.crt:/run/host-ca.crt:ro
             -v "$work/npmrc:/root/.npmrc:ro")

declare -A image_ref
for image in ingest-service query-service nats-server; do
  step "build bulletin/$image"
  case $image in
    nats-server) dockerfile=Dockerfile.nats dir=deploy/docker ;;
    *) dockerfile=Dockerfile.${image%-service} dir=$context ;;
  esac
  podman build --quiet --build-arg BASE_IMAGE="$base_image" \
    "${build_trust[@]}" -f "deploy/docker/$dockerfile" \
    -t "localhost/bulletin/$image:$tag" "$dir" >/dev/null
  digest=$(podman image inspect --format '{{.Digest}}' \
    "localhost/bulletin/$image:$tag")
  image_ref[$image]="localhost/bulletin/$image@$digest"
  echo "   localhost/bulletin/$image@$digest"

  # No shell, no package manager, uid 10001.
  # (-v: the images declare volumes, which a container gets anonymously.)
  podman create --name "bt-files-$$" --entrypoint /bin/sh \
    "localhost/bulletin/$image:$tag" -c true >/dev/null
  files=$(podman export "bt-files-$$" | tar -t)
  if podman start -a "bt-files-$$" >/dev/null 2>&1; then
    podman rm -f -v "bt-files-$$" >/dev/null
    fail "$image runs /bin/sh"
  fi
  podman rm -f -v "bt-files-$$" >/dev/null
  for forbidden in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash \
      usr/bin/dash usr/bin/dpkg usr/bin/apt usr/bin/apt-get var/lib/dpkg/; do
    if grep -qx "$forbidden" <<<"$files"; then
      fail "$image holds $forbidden"
    fi
  done
  user=$(podman image inspect --format '{{.Config.User}}' \
    "localhost/bulletin/$image:$tag")
  [ "$user" = "10001:10001" ] || fail "$image runs as '$user', not 10001:10001"
done

# --- Secrets (the tls and jetstream-tls components') ----------------------

# issue DIR CA_DIR NAME SAN: a P-256 key and certificate for SAN signed by
# the CA in CA_DIR (made on first use), as DIR/tls.crt, tls.key, ca.crt.
issue() {
  local dir=$1 ca=$2 name=$3 san=$4
  mkdir -p "$dir" "$ca"
  if [ ! -f "$ca/ca.crt" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$ca/ca.key" -out "$ca/ca.crt" -days 1 \
      -subj "/CN=$(basename "$ca")" 2>/dev/null
  fi
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/tls.key" -out "$dir/tls.csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -in "$dir/tls.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" \
    -CAcreateserial -out "$dir/tls.crt" -days 1 \
    -extfile <(printf 'subjectAltName=%s\n' "$san") 2>/dev/null
  rm "$dir/tls.csr"
  cp "$ca/ca.crt" "$dir/ca.crt"
}

# secret NAME DIR: a kube Secret of the files in DIR.
secret() {
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ndata:\n' "$1"
  for file in "$2"/*; do
    printf '  %s: %s\n' "$(basename "$file")" "$(base64 -w0 <"$file")"
  done
}

make_secrets() {
  local ns=$1 dir=$2
  issue "$dir/ingest-tls" "$dir/bulletin-ca" ingest \
    "DNS:ingest-0.ingest.$ns.svc,DNS:ingest-0.ingest,DNS:ingest,DNS:ingest.$ns.svc"
  issue "$dir/query-tls" "$dir/bulletin-ca" bulletin-query \
    "DNS:bulletin-query,DNS:query.$ns.svc"
  issue "$dir/client" "$dir/bulletin-ca" bulletinctl "DNS:container-test"
  issue "$dir/nats-tls" "$dir/nats-ca" nats \
    "DNS:nats,DNS:nats.$ns.svc,DNS:nats-0.nats-headless,DNS:nats-1.nats-headless,DNS:nats-2.nats-headless,DNS:*.nats-headless.$ns.svc,DNS:localhost"
  issue "$dir/nats-client-tls" "$dir/nats-ca" ingest "DNS:ingest"
  mkdir -p "$dir/submit-token"
  openssl rand -hex 32 >"$dir/submit-token/token"
  {
    secret bulletin-ingest-tls "$dir/ingest-tls"
    secret bulletin-query-tls "$dir/query-tls"
    secret bulletin-submit-token "$dir/submit-token"
    secret bulletin-nats-tls "$dir/nats-tls"
    secret bulletin-nats-client-tls "$dir/nats-client-tls"
  } >"$dir/secrets.yaml"
}

# --- One overlay ----------------------------------------------------------

# pod_field POD 1|3|4: the workload, address or grace period of a pod.
pod_field() { plan_list pods | awk -v pod="$1" -v f="$2" '$2 == pod {print $f}'; }
# The pods of a workload, in order.
pods_of() { plan_list pods | awk -v w="$1" '$1 == w {print $2}'; }
# The containers of a pod, without its infra container.
containers_of() {
  podman ps -a --filter "pod=$1" --format '{{.Names}} {{.IsInfra}}' |
    awk '$2 == "false" {print $1}'
}

# wait_ready POD PORT PATH: until the pod answers 200 on PATH.
wait_ready() {
  local ip deadline
  ip=$(pod_field "$1" 3)
  deadline=$(( $(date +%s) + 180 ))
  until curl -sf -o /dev/null "http://$ip:$2$3"; do
    if [ "$(date +%s)" -gt "$deadline" ]; then
      for container in $(containers_of "$1"); do
        podman logs --tail 20 "$container" >&2 || true
      done
      fail "$1 did not answer $3 on :$2 within 180 s"
    fi
    sleep 1
  done
}

# Every pod ready, as its probes would ask.
wait_all() {
  local workload pod _
  while read -r workload pod _; do
    case $workload in
      nats) wait_ready "$pod" 8222 /healthz ;;
      *) wait_ready "$pod" 9090 /readyz
         wait_ready "$pod" 9090 /healthz ;;
    esac
  done < <(plan_list pods)
}

run_overlay() {
  local overlay=$1 dir="$work/$overlay"
  mkdir -p "$dir/render" "$dir/secrets"
  step "$overlay: render, pinned by digest"
  # A kustomization over the overlay that pins the images, as an operator's
  # would (docs/operations.md); kustomize wants a relative path.
  {
    echo "resources:"
    echo "  - $(realpath --relative-to="$dir/render" "deploy/k8s/overlays/$overlay")"
    echo "images:"
    for image in "${!image_ref[@]}"; do
      echo "  - name: bulletin/$image"
      echo "    newName: ${image_ref[$image]%@*}"
      echo "    digest: ${image_ref[$image]#*@}"
    done
  } >"$dir/render/kustomization.yaml"
  kubectl kustomize "$dir/render" >"$dir/rendered.yaml"
  local ns
  ns=$(awk '/^kind: Namespace$/ {found = 1} found && /^  name:/ {print $2; exit}' \
    "$dir/rendered.yaml")
  [ -n "$ns" ] || fail "$overlay renders no Namespace"
  make_secrets "$ns" "$dir/secrets"

  # A free /24 for the run's network.
  local subnet third
  for third in $(shuf -i 100-250 -n 20); do
    subnet="10.89.$third"
    podman network ls --format '{{.Subnets}}' | grep -q "$subnet\." || break
  done
  step "$overlay: reduce for kube play (network $subnet.0/24)"
  cat "$dir/rendered.yaml" "$dir/secrets/secrets.yaml" |
    node deploy/validate/kube-play.mjs --subnet="$subnet" --state="$dir/state" \
      --plan="$dir/plan.json" >"$dir/play.yaml"
  plan="$dir/plan.json"
  plan_list reductions | sed 's/^/   reduced: /'

  network="bt-$overlay-$$"
  podman network create --subnet "$subnet.0/24" "$network" >/dev/null
  play_file="$dir/play.yaml"
  local ips=()
  mapfile -t ips < <(plan_list ips)
  step "$overlay: podman kube play"
  podman kube play --network "$network" "${ips[@]}" "$play_file" >/dev/null

  step "$overlay: waiting for every pod's readiness"
  wait_all

  # As the overlay runs them: uid 10001, read-only root.
  local workload pod container
  while read -r workload pod _; do
    for container in $(containers_of "$pod"); do
      [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$container")" = true ] ||
        fail "$container has a writable root file system"
      if podman top "$container" huser | tail -n +2 | grep -qvx 10001; then
        fail "$container runs a process as a user other than 10001"
      fi
    done
  done < <(plan_list pods)

  # bulletinctl as a client in the namespace: on the pods' network, with the
  # Service names the reduction gave the pods. Root in its container, to
  # read the key files made here.
  local hosts=() tls=()
  mapfile -t hosts < <(plan_list hosts)
  if grep -q -- '--tls_cert_file' "$dir/rendered.yaml"; then
    tls=(--tls_ca_file=/secrets/client/ca.crt
         --tls_cert_file=/secrets/client/tls.crt
         --tls_key_file=/secrets/client/tls.key
         --auth_token_file=/secrets/submit-token/token)
  fi
  ctl() {
    podman run --rm --network "$network" "${hosts[@]}" \
      -v "$PWD/examples:/examples:ro" -v "$dir/secrets:/secrets:ro" \
      --user 0 --entrypoint /usr/local/bin/bulletinctl \
      "${image_ref[ingest-service]}" \
      --ingest_addr="ingest.$ns.svc:50051" --query_addr="query.$ns.svc:50052" \
      --wait_for_ready --timeout=60s "${tls[@]}" "$@"
  }
  find_it() {
    local found
    found=$(ctl search --json --min_seq="$2" "$3")
    grep -q "\"$1\"" <<<"$found" ||
      fail "$overlay: bulletin $1 (seq $2) not found by '$3'; search said: $found"
  }

  step "$overlay: submit and search"
  local id seq ingest_pod query_pod nats_pod
  read -r id seq _ <<<"$(ctl submit /examples/chongqing-cppcc-roundup.txt)"
  find_it "$id" "$seq" 委员工作室
  ingest_pod=$(pods_of ingest | head -1)
  query_pod=$(pods_of query | head -1)
  nats_pod=$(pods_of nats | sed -n 2p)
  curl -sf "http://$(pod_field "$ingest_pod" 3):9090/metrics" |
    grep -q '^bulletin_log_head_seq [1-9]' ||
    fail "$overlay: ingest's metrics show no head seq"

  step "$overlay: restart ${nats_pod:+$nats_pod, }$ingest_pod and $query_pod"
  # As the kubelet restarts a pod's containers: SIGTERM,
  # terminationGracePeriodSeconds to finish (the lame duck and the drain),
  # then start again in the same sandbox, volumes and address. (`podman pod
  # stop` and `start` race podman 4.3's cleanup of the stopped pod, which
  # then stops the new containers.)
  for pod in $nats_pod "$ingest_pod" "$query_pod"; do
    for container in $(containers_of "$pod"); do
      podman stop -t "$(pod_field "$pod" 4)" "$container" >/dev/null
      podman start "$container" >/dev/null
    done
  done
  wait_all
  find_it "$id" "$seq" 委员工作室
  local id2 seq2
  read -r id2 seq2 _ <<<"$(ctl submit /examples/sichuan-roundup.txt)"
  [ "$seq2" -gt "$seq" ] || fail "$overlay: seq went from $seq to $seq2"
  find_it "$id2" "$seq2" 全省各地人大

  # The kubelet runs a preStop exec hook without a shell: so does this.
  local container_and_command
  while read -r -a container_and_command; do
    step "$overlay: preStop hook of ${container_and_command[0]}"
    podman exec "${container_and_command[@]}" ||
      fail "$overlay: the preStop hook of ${container_and_command[0]} failed"
  done < <(plan_list hooks)

  step "$overlay: tear down"
  local pods=() volumes=()
  mapfile -t pods < <(plan_list pods | awk '{print $2}')
  mapfile -t volumes < <(plan_list volumes)
  teardown
  for pod in "${pods[@]}"; do
    ! podman pod exists "$pod" || fail "$overlay: pod $pod left behind"
  done
  for volume in "${volumes[@]}"; do
    ! podman volume exists "$volume" || fail "$overlay: volume $volume left behind"
  done
  ! podman network exists "bt-$overlay-$$" || fail "$overlay: network left behind"
  step "$overlay: passed"
}

for overlay in "${overlays[@]}"; do
  run_overlay "$overlay"
done
echo "container-test: ${#overlays[@]} overlays passed in $(( $(date +%s) - start ))s"
