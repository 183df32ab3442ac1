# Sourced by demo.sh and test.sh: installs missing Debian packages and configures the build.
set -euo pipefail

DIFFUSE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIFFUSE_PACKAGES=(cmake g++ make libeigen3-dev catch2 libbenchmark-dev libcli11-dev)

# ensure_packages PKG...: installs the packages that are missing (as root, or with sudo).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "diffuse: missing Debian packages: ${missing[*]}" >&2
      echo "diffuse: run as root or install them: apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "diffuse: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# configure_and_build PRESET [TARGET...]: configures with a CMake preset and builds.
configure_and_build() {
  local preset=$1
  shift
  cmake -S "$DIFFUSE_ROOT" --preset "$preset" >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" -j "$(nproc)" --target "$@"
  else
    cmake --build --preset "$preset" -j "$(nproc)"
  fi
}
