#!/usr/bin/env bash
# One-command set-up from nothing: apt packages, .venv/, pinned Python deps, KenLM binaries.
# Idempotent: a second run checks each piece and says "nothing to do".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
kenlm_bin="$root/tools/kenlm/bin"
stamp="$venv/.currach-setup"
want_stamp="$(cat requirements.txt requirements-no-deps.txt tools/setup.sh | sha256sum | cut -c1-16)"
apt_pkgs=(espeak-ng sox libsox-fmt-mp3 asterisk-core-sounds-en-wav asterisk-core-sounds-en cmake g++ libboost-program-options-dev
  libboost-system-dev libboost-thread-dev libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev)
did=()

missing_apt=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing_apt+=("$p")
done
if ((${#missing_apt[@]})); then
  echo "setup: apt-get install ${missing_apt[*]}"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing_apt[@]}" >/dev/null
  did+=("apt")
fi

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want_stamp" ]; then
  echo "setup: creating/updating $venv"
  [ -x "$venv/bin/python" ] || python3.11 -m venv "$venv"
  "$venv/bin/pip" install -q -U pip
  # torch first, pinned, CPU wheel; later installs then see it satisfied and pull no CUDA build.
  "$venv/bin/pip" install -q "torch==2.13.0"
  if "$venv/bin/pip" show -q pyctcdecode >/dev/null 2>&1; then
    echo "setup: pip may now say pyctcdecode requires numpy<2 and hypothesis: metadata only (see requirements-no-deps.txt)"
  fi
  "$venv/bin/pip" install -q -r requirements.txt "torch==2.13.0"
  # pyctcdecode's metadata pins numpy<2, which it does not need: install it without its deps.
  "$venv/bin/pip" install -q --no-deps -r requirements-no-deps.txt
  if "$venv/bin/pip" show torchaudio >/dev/null 2>&1; then
    echo "setup: torchaudio got installed; it breaks transformers on torch 2.13 — removing" >&2
    "$venv/bin/pip" uninstall -y -q torchaudio
  fi
  echo "$want_stamp" >"$stamp"
  did+=("venv")
fi

if [ ! -x "$kenlm_bin/lmplz" ] || [ ! -x "$kenlm_bin/build_binary" ]; then
  echo "setup: compiling lmplz and build_binary from the kenlm source distribution"
  build="$(mktemp -d)"
  "$venv/bin/pip" download -q --no-deps --no-binary kenlm kenlm==0.3.0 -d "$build"
  tar -xzf "$build"/kenlm-*.tar.gz -C "$build"
  src="$(find "$build" -maxdepth 1 -type d -name 'kenlm-*' | head -n1)"
  mkdir -p "$src/build"
  (cd "$src/build" && cmake .. -DCMAKE_BUILD_TYPE=Release >/dev/null \
    && make -j"$(nproc)" lmplz build_binary >/dev/null)
  mkdir -p "$kenlm_bin"
  cp "$src/build/bin/lmplz" "$src/build/bin/build_binary" "$kenlm_bin/"
  rm -rf "$build"
  did+=("kenlm")
fi

if ((${#did[@]})); then
  echo "setup: done (${did[*]})"
else
  echo "setup: nothing to do (apt packages, .venv and tools/kenlm/bin already in place)"
fi
