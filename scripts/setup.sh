#!/usr/bin/env bash
# Idempotent set-up: system packages (Chinese fonts, HarfBuzz subsetting, poppler) and the
# project's virtual environment. Safe to run again; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils)
# dovecot-imapd: the IMAP server tests/test_imap.py starts on loopback for `kaohe fetch-mail`.
SYSTEM_PACKAGES+=(dovecot-imapd)
# PostgreSQL server: the store tests run on a throwaway cluster as well as on SQLite.
SYSTEM_PACKAGES+=(postgresql)
# fonts-lxgw-wenkai: the bulletin's 仿宋-like body face (OFL 1.1); chromium: the test that
# the HTML bulletin renders in a headless browser.
SYSTEM_PACKAGES+=(fonts-lxgw-wenkai chromium)

# LibreOffice Writer without its GUI: tests/test_docx.py converts bulletin.docx to PDF with
# it (headless) to look at its pages. Only where no LibreOffice is installed: the full
# libreoffice-core and the -nogui one exclude each other.
command -v soffice >/dev/null 2>&1 || SYSTEM_PACKAGES+=(libreoffice-writer-nogui)

missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "安装系统软件包：${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# FandolFang (仿宋, GPL with the font exception; GB2312 coverage): the bulletin's body face
# per GB/T 9704. Debian ships it only inside texlive-lang-chinese (~50 MB of TeX): the
# package is downloaded, not installed, and only the font (and its licence) is copied out.
FONT_DIR=/usr/local/share/fonts/kaohe
if [ ! -f "$FONT_DIR/FandolFang-Regular.otf" ]; then
    echo "安装仿宋字体 FandolFang（取自 texlive-lang-chinese）"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    tmp=$(mktemp -d)
    # apt-get download writes into the current directory; _apt must be able to write there
    chmod 755 "$tmp"
    (cd "$tmp" && apt-get download -qq texlive-lang-chinese 2>/dev/null \
        || { $SUDO apt-get update -qq && apt-get download -qq texlive-lang-chinese; })
    dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
    src="$tmp/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
    doc="$tmp/x/usr/share/doc/texlive-doc/fonts/fandol"
    $SUDO mkdir -p "$FONT_DIR"
    for f in "$src"/FandolFang-*.otf "$doc"/README "$doc"/COPYING.gz; do
        [ -f "$f" ] || continue
        case "$f" in
            */README) $SUDO cp "$f" "$FONT_DIR/FANDOL-README" ;;
            */COPYING.gz) $SUDO cp "$f" "$FONT_DIR/FANDOL-COPYING.gz" ;;
            *) $SUDO cp "$f" "$FONT_DIR/" ;;
        esac
    done
    rm -rf "$tmp"
    [ -f "$FONT_DIR/FandolFang-Regular.otf" ] || { echo "未能取得 FandolFang-Regular.otf" >&2; exit 1; }
    $SUDO fc-cache -f "$FONT_DIR" >/dev/null
fi

# The faces GB/T 9704 documents name (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体) are
# not free to install here: fontconfig draws them with the free faces of the PDFs, so that
# LibreOffice renders bulletin.docx as the PDF is set (README, "The bulletin as a Word document").
FC_CONF=/etc/fonts/conf.d/30-kaohe-gbt9704.conf
if ! cmp -s scripts/fontconfig-gbt9704.conf "$FC_CONF"; then
    echo "设置字体替换（仿宋_GB2312 → FandolFang 等）：$FC_CONF"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO install -m 644 scripts/fontconfig-gbt9704.conf "$FC_CONF"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "创建虚拟环境 .venv"
    "$PY" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.kaohe-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "安装 Python 依赖"
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e '.[dev]'
    touch "$stamp"
fi
