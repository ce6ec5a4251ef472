# Headless Chromium for the browser test (tests/web): `source .ci/browser.sh` in .ci/run (before
# `make test`) makes sure it is there. Installs Debian's chromium and chromium-driver when
# /usr/bin/chromium is missing (Playwright drives Debian's binary: `playwright install` needs a
# download host we do not have), plus a CJK font when none is installed (for readable screenshots).
# Exports SERVICETUI_CHROMIUM for the tests.

ensure_browser() {
  local packages=()
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  [ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
  if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
    packages+=(fonts-noto-cjk)
  elif ! command -v fc-list >/dev/null 2>&1; then
    packages+=(fonts-noto-cjk)
  fi
  if [ "${#packages[@]}" -gt 0 ]; then
    echo "ci: installing ${packages[*]} from the system packages"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
  export SERVICETUI_CHROMIUM=/usr/bin/chromium
  echo "ci: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: not found')"
}

ensure_browser
