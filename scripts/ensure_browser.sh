#!/usr/bin/env bash
# Installs Debian's chromium, a CJK font and gettext when missing (as root, through apt-get).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk" || need+=(fonts-wqy-microhei)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
# LibreOffice converts the .docx reply letters and the annual report back to text (and to PDF) in their tests.
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Browser tests need: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
fi
echo "Installing ${need[*]} from Debian's packages ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
