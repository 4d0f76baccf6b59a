#!/usr/bin/env bash
# Installs the Debian 12 packages fwkit needs to build, test and run.
# Idempotent: when every package is already present it only checks and exits.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config git
  # C++ libraries
  libeigen3-dev libboost-dev libsundials-dev libhdf5-dev catch2
  libtomlplusplus-dev libcli11-dev librandom123-dev libfmt-dev
  # MPI: `mpirun fwkit simulate` (built when found; tests compare with serial)
  openmpi-bin libopenmpi-dev
  # Python analysis side (run under /usr/bin/python3)
  python3 python3-h5py python3-numpy python3-matplotlib python3-xarray
  python3-h5netcdf python3-pytest
  # benchmark peers (bench/)
  python3-scipy python3-numba
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
