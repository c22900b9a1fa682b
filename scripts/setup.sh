#!/usr/bin/env bash
# Installs everything podnet needs on Debian 12 (as root) and builds it. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  iproute2 iptables nftables libnftables1 tcpdump etcd-server etcd-client containernetworking-plugins
  busybox-static iperf3 socat dnsutils bind9 dnsmasq-base dnsperf util-linux procps psmisc
  conntrack iputils-ping netcat-openbsd curl jq kmod tshark containerd runc bird2 chromium
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# etcd-server's package starts a system etcd on the host; podnet runs its own etcd, so keep that one off.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then
  systemctl stop etcd || true
fi
# containerd's package starts (and enables) a system containerd on the host; the CNI e2e test runs its own,
# inside a node's namespaces, so the host's is stopped and disabled, never left running.
if command -v systemctl >/dev/null 2>&1 && systemctl list-unit-files containerd.service >/dev/null 2>&1; then
  systemctl disable --now containerd >/dev/null 2>&1 || true
fi
if command -v service >/dev/null 2>&1 && [ -x /etc/init.d/containerd ]; then service containerd stop >/dev/null 2>&1 || true; fi
# bird2's package enables a host BGP daemon (bird.service); podnet runs BIRD only inside lab/node
# namespaces, each with its own config and control socket, so the host's one stays stopped and off.
if command -v systemctl >/dev/null 2>&1 && systemctl list-unit-files bird.service >/dev/null 2>&1; then
  systemctl stop bird.service 2>/dev/null || true
  systemctl disable bird.service 2>/dev/null || true
fi
if [ -x /etc/init.d/bird ] && ! command -v systemctl >/dev/null 2>&1; then
  /etc/init.d/bird stop >/dev/null 2>&1 || true
fi

lockhash=$(sha256sum package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
if [ ! -f node_modules/.podnet-installed ] || [ "$(cat node_modules/.podnet-installed)" != "$lockhash" ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund
  echo "$lockhash" > node_modules/.podnet-installed
fi
echo "setup: building"
bash scripts/build.sh || { echo "setup: TypeScript build failed" >&2; exit 1; }
echo "setup: building the built-in images (root filesystems under /var/lib/podnet/images)"
node dist/src/cli/main.js images build || { echo "setup: building the images failed" >&2; exit 1; }
echo "setup: done"
