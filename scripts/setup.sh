#!/usr/bin/env bash
# Brings a fresh Debian/Ubuntu machine to a working tree: system packages,
# npm dependencies, the native addon and the TypeScript build. Idempotent:
# each step runs only when what it makes is missing or older than its sources.
#   bash scripts/setup.sh          what `npm test` needs
#   bash scripts/setup.sh --data   also Fashion-MNIST (for `npm run demo` and benchmarks)
#   bash scripts/setup.sh --torch  also PyTorch and OpenBLAS (for `npm run bench -- ... --compare pytorch`)
set -euo pipefail
cd "$(dirname "$0")/.."

want_data=0
want_torch=0
for arg in "$@"; do
  case "$arg" in
    --data) want_data=1 ;;
    --torch) want_torch=1 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --data or --torch)" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# --- system packages -------------------------------------------------------
packages=()
[ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || packages+=(libdnnl-dev)
command -v cmake >/dev/null || packages+=(cmake)
command -v g++ >/dev/null || packages+=(g++)
command -v make >/dev/null || packages+=(make)
if [ "$want_data" = 1 ] && [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  packages+=(dataset-fashion-mnist)
fi
if [ "$want_torch" = 1 ]; then
  [ -d /usr/lib/python3/dist-packages/torch ] || packages+=(python3-torch)
  [ -f /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ] || packages+=(libopenblas0-openmp)
fi
if [ ${#packages[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup.sh: missing ${packages[*]} and this is not a Debian/Ubuntu system: install them with your package manager" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup.sh: need root (or sudo) to install ${packages[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  log "installing ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# newer_than TARGET PATH...: true when TARGET is missing or a file under PATHs is newer.
newer_than() {
  local target=$1; shift
  [ -e "$target" ] || return 0
  [ -n "$(find "$@" -newer "$target" -type f -print -quit 2>/dev/null)" ]
}

# --- npm dependencies ----------------------------------------------------
if [ ! -d node_modules ] || newer_than node_modules/.package-lock.json package.json package-lock.json; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- native addon --------------------------------------------------------
if newer_than build/Release/tensorforge.node native CMakeLists.txt; then
  log "building the native addon (cmake-js)"
  npx cmake-js compile --out build --parallel "$(nproc)" >build-native.log 2>&1 || { tail -50 build-native.log >&2; echo "setup.sh: native build failed (full log: build-native.log)" >&2; exit 1; }
fi

# --- TypeScript ----------------------------------------------------------
if newer_than dist/.built lib tsconfig.json scripts/write-esm-entry.js; then
  log "compiling TypeScript"
  npx tsc -p tsconfig.json
  node scripts/write-esm-entry.js
  touch dist/.built
fi
