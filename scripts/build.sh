#!/bin/sh
# Configures and builds lzscan into build/ (the binary is build/lzscan).
# Extra arguments go to cmake's configure step, e.g. -DLZSCAN_SANITIZE=ON.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >&2
# Build chatter goes to stderr so that stdout carries only what lzscan prints.
cmake --build "$BUILD_DIR" -j"$(nproc)" >&2
