#!/usr/bin/env bash
# The Debian packages Formaliza needs besides Python (called by `make test`, `make run` and
# .ci/run). Installs the missing ones with apt-get when it can (root, or sudo without a password);
# when it cannot, it stops — before any test runs — naming the packages and the command to run.
#
#   scripts/system-packages.sh          check, install what is missing
#   scripts/system-packages.sh --list   print the package names
set -euo pipefail

PACKAGES=(
  chromium             # browser tests of the client journey (Playwright drives /usr/bin/chromium)
  poppler-utils        # pdfsig: independent validation of sealed PDFs (evidence tests)
  libnss3-tools        # certutil: an NSS db trusting the test CA, for pdfsig
  libpango-1.0-0       # WeasyPrint (evidence report, contracts)
  libpangoft2-1.0-0
  libharfbuzz-subset0  # WeasyPrint font subsetting
  fonts-dejavu-core    # a font with pt-BR glyphs for rendered PDFs
)

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

if [ "${FORMALIZA_SKIP_SYSTEM_PACKAGES:-}" = "1" ]; then
  exit 0
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$pkg")
  done
else
  missing=("${PACKAGES[@]}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

command_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"

refuse() {
  {
    echo ""
    echo "Faltam pacotes do sistema que os testes e o produto usam: ${missing[*]}"
    echo "Missing system packages the tests and the product need: ${missing[*]}"
    echo "Motivo / reason: $1"
    echo "Instale-os com / install them with:"
    echo "    sudo sh -c '$command_line'"
    echo "(ou rode este script como root / or run this script as root: scripts/system-packages.sh)"
    echo ""
  } >&2
  exit 3
}

command -v apt-get >/dev/null 2>&1 || refuse "apt-get não encontrado (não é Debian/Ubuntu?) / apt-get not found"

if [ "$(id -u)" -eq 0 ]; then
  as_root=(command)
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  as_root=(sudo -n DEBIAN_FRONTEND=noninteractive)  # sudo resets the environment
else
  refuse "sem permissão de root e sem sudo sem senha / not root and no passwordless sudo"
fi

echo "Instalando pacotes do sistema / installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq || refuse "apt-get update falhou / apt-get update failed"
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
  || refuse "apt-get install falhou / apt-get install failed"
