# Shared by scripts/serve and scripts/test: sourced, not run.

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf '\n\033[31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

APT_UPDATED=""
apt_install() {
  # Install Debian packages by name; only root can, and only Debian has apt.
  is_root || die "missing: $* — install it (apt-get install $*) or run this script as root."
  command -v apt-get >/dev/null || die "missing: $* — this script installs packages with apt-get (Debian)."
  if [ -z "$APT_UPDATED" ]; then
    apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# Create .venv with the project's Python and install a requirements file into it;
# skipped when the same file was installed before.
ensure_venv() {
  local requirements=$1 python=${PYTHON:-python3}
  command -v "$python" >/dev/null || die "python3 (3.11) is needed"
  "$python" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' \
    || die "Python 3.11 or newer is needed; $python is $("$python" --version 2>&1)"
  if [ ! -x .venv/bin/python ]; then
    say "Creating the virtualenv (.venv)"
    if ! "$python" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv
      "$python" -m venv .venv || die "could not create .venv"
    fi
  fi
  local stamp
  stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
  if [ ! -f "$stamp" ]; then
    say "Installing $requirements"
    .venv/bin/python -m pip install -q --upgrade pip || die "pip upgrade failed"
    .venv/bin/python -m pip install -q -r "$requirements" || die "pip install -r $requirements failed"
    touch "$stamp"
  fi
}
