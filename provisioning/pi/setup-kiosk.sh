#!/usr/bin/env bash
# Prepare a Raspberry Pi (3B+, 4 or 5; Raspberry Pi OS Bookworm Lite 64-bit) as a library
# kiosk: SPI on, Debian packages, the `kiosk` user and its device groups, the application in
# /opt/kiosk/venv, /etc/kiosk/kiosk.toml, the systemd units, a capped journal, and optionally a
# read-only root with the data on its own partition.
#
# Idempotent: a second run with the same arguments changes nothing (not even a timestamp).
# With --root DIR it works on a mounted image or a test tree instead of this machine: it never
# runs apt or pip there (they would act on the host); what the device still has to install is
# written to DIR/opt/kiosk/provision/, and running the script again on the Pi finishes the job.
#
#   sudo provisioning/pi/setup-kiosk.sh --commune 06001 --kiosk-id 06001-01 \
#       --broker mqtts://hub.example.vn:8883 --password-file pw.txt --ca-file ca.crt
#   sudo provisioning/pi/setup-kiosk.sh --bundle bundle-06001-01/   # from add-kiosk.sh
#   sudo provisioning/pi/setup-kiosk.sh          # again, later: keeps /etc/kiosk/kiosk.toml
#
# Run with --help for every option. The step-by-step guide: provisioning/HUONG-DAN.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
# shellcheck disable=SC2034  # used by lib/common.sh
readonly PROG=setup-kiosk
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$SCRIPT_DIR/../lib/common.sh"
readonly KIOSK_USER=kiosk
readonly OPT=/opt/kiosk
readonly VENV=$OPT/venv
readonly SRC=$OPT/src
readonly PLAN=$OPT/provision
readonly CONF_DIR=/etc/kiosk
readonly DATA_DIR=/var/lib/kiosk
readonly USB_MOUNT=/media/kiosk-backup
readonly USB_LABEL=KIOSK-BACKUP
readonly DEVICE_GROUPS=(spi gpio video input render audio)
# SDL2 + GLES/EGL/GBM/DRM: what Kivy's SDL2 window needs on KMS/DRM (no X on Lite);
# mtdev for multi-touch screens; gcc + python3-dev build spidev (no wheel on PyPI).
readonly APT_PACKAGES=(
    python3 python3-venv python3-dev gcc
    libzbar0
    libsdl2-2.0-0 libsdl2-image-2.0-0 libsdl2-mixer-2.0-0 libsdl2-ttf-2.0-0
    libgles2 libegl1 libgbm1 libdrm2 libgl1-mesa-dri libmtdev1
    fonts-noto-core espeak-ng alsa-utils
    fake-hwclock mosquitto-clients sqlite3
)

root=/
commune=""
kiosk_id=""
broker=""
username=""
password=""
password_file=""
ca_file=""
bundle=""
source_dir=$(cd "$SCRIPT_DIR/../.." && pwd)
install=auto
read_only_root=0
data_device=""
journal_max=64M
headless=0
reboot_needed=0

usage() {
    cat <<EOF
Usage: $0 [options]

  --root DIR            work on the tree at DIR (a mounted image, a test tree); default /
  --commune CODE        5-digit commune code (kiosk communes lists them)
  --kiosk-id ID         kiosk id, e.g. 06001-01 (default: CODE-01)
  --broker URL          the province broker, mqtts://host:8883 (none: uplink disabled)
  --username NAME       broker user (default: the kiosk id)
  --password PW         broker password (prefer --password-file: argv is visible to all)
  --password-file FILE  read the broker password from FILE
  --ca-file FILE        the province CA certificate, installed as $CONF_DIR/ca.crt
  --bundle DIR          take all of the above from a bundle made by add-kiosk.sh
  --source DIR          the thuvien-kiosk source tree to install (default: this repository)
  --no-install          do not run apt-get or pip (always so with --root other than /)
  --headless            run the uplink alone (kiosk-uplink.service), no touch screen app
  --read-only-root      overlay the root file system (changes live in RAM) ...
  --data-device SPEC    ... with $DATA_DIR on this partition (e.g. LABEL=KIOSKDATA)
  --journal-max SIZE    cap of the persistent journal (default $journal_max)
  -h, --help            this help
EOF
}

parse_args() {
    while (($#)); do
        case $1 in
            --root) root=${2:?}; shift ;;
            --commune) commune=${2:?}; shift ;;
            --kiosk-id) kiosk_id=${2:?}; shift ;;
            --broker) broker=${2:?}; shift ;;
            --username) username=${2:?}; shift ;;
            --password) password=${2:?}; shift ;;
            --password-file) password_file=${2:?}; shift ;;
            --ca-file) ca_file=${2:?}; shift ;;
            --bundle) bundle=${2:?}; shift ;;
            --source) source_dir=${2:?}; shift ;;
            --no-install) install=no ;;
            --headless) headless=1 ;;
            --read-only-root) read_only_root=1 ;;
            --data-device) data_device=${2:?}; shift ;;
            --journal-max) journal_max=${2:?}; shift ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; die "unknown option: $1" ;;
        esac
        shift
    done
}

# A bundle from provisioning/hub/add-kiosk.sh: kiosk.toml (the registry's own output) + ca.crt.
load_bundle() {
    [[ -n $bundle ]] || return 0
    [[ -f $bundle/kiosk.toml ]] || die "no kiosk.toml in bundle $bundle"
    local key value
    while IFS=$'\t' read -r key value; do
        case $key in
            commune) commune=${commune:-$value} ;;
            id) kiosk_id=${kiosk_id:-$value} ;;
            broker_url) broker=${broker:-$value} ;;
            username) username=${username:-$value} ;;
            password) password=${password:-$value} ;;
        esac
    done < <(python3 - "$bundle/kiosk.toml" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    data = tomllib.load(f)
for section in ("kiosk", "uplink"):
    for key, value in data.get(section, {}).items():
        print(f"{key}\t{value}")
EOF
    )
    if [[ -z $ca_file && -f $bundle/ca.crt ]]; then
        ca_file=$bundle/ca.crt
    fi
}

validate() {
    [[ $EUID -eq 0 ]] || die "run as root (sudo): it creates a user and sets file owners"
    [[ -d $root ]] || die "--root $root is not a directory"
    root=$(cd "$root" && pwd)
    if ! live; then
        install=no
    elif [[ $install == auto ]]; then
        install=yes
    fi
    [[ -f $source_dir/pyproject.toml && -d $source_dir/kiosk ]] ||
        die "--source $source_dir is not a thuvien-kiosk source tree"
    if [[ -n $password_file ]]; then
        [[ -r $password_file ]] || die "cannot read --password-file $password_file"
        password=$(head -n1 "$password_file")
    fi
    [[ -z $ca_file || -r $ca_file ]] || die "cannot read --ca-file $ca_file"
    [[ -z $commune || $commune =~ ^[0-9]{5}$ ]] || die "--commune must be 5 digits: $commune"
    if [[ -n $commune && -z $kiosk_id ]]; then
        kiosk_id=$commune-01
    fi
    [[ -z $kiosk_id || $kiosk_id =~ ^[a-z0-9][a-z0-9-]{2,31}$ ]] ||
        die "--kiosk-id must be 3-32 lowercase letters, digits or '-': $kiosk_id"
    [[ -z $broker || $broker =~ ^mqtts?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$ ]] ||
        die "--broker must look like mqtts://host:8883: $broker"
    username=${username:-$kiosk_id}
    [[ $username =~ ^[A-Za-z0-9._-]*$ ]] || die "--username has characters MQTT users avoid"
    [[ $password != *[$'\n\r']* ]] || die "the password must be one line"
    [[ -z $broker || -n $password ]] || die "--broker needs --password or --password-file"
    if ((read_only_root)) && [[ -z $data_device ]]; then
        die "--read-only-root needs --data-device (the data must survive a reboot)"
    fi
    if [[ -z $commune && ! -f $(t "$CONF_DIR/kiosk.toml") ]]; then
        die "--commune is required the first time (or --bundle)"
    fi
}

# --- the steps ------------------------------------------------------------------------------

# Bookworm reads /boot/firmware/config.txt (/boot/config.txt is a pointer to it there).
firmware_dir() {
    if [[ -d $(t /boot/firmware) ]]; then
        echo /boot/firmware
    elif [[ -f $(t /boot/config.txt) ]]; then
        echo /boot
    else
        mkdir -p "$(t /boot/firmware)"
        echo /boot/firmware
    fi
}

enable_spi() {
    local config
    config=$(firmware_dir)/config.txt
    [[ -f $(t "$config") ]] || : >"$(t "$config")"
    if grep -qE '^[[:space:]]*dtparam=spi=on' "$(t "$config")"; then
        return 0
    fi
    # A line of its own under [all], so no board filter ([pi4], [cm4] ...) above it applies.
    { grep -vE '^[[:space:]]*dtparam=spi=off' "$(t "$config")" || true
      printf '\n[all]\n# MFRC522 RFID reader (SPI0, CE0), set by setup-kiosk.sh\ndtparam=spi=on\n'
    } | put "$config" "$(stat -c '%a' "$(t "$config")")" root root
    reboot_needed=1
}

ensure_user() {
    local group
    ensure_system_user "$KIOSK_USER" "$DATA_DIR" "Thu vien kiosk"
    for group in "${DEVICE_GROUPS[@]}"; do
        # Raspberry Pi OS has spi and gpio (with the udev rules that use them); elsewhere
        # the group is created so the user can be in it, but grants nothing by itself.
        ensure_group "$group"
        ensure_member "$KIOSK_USER" "$group" || reboot_needed=1
    done
}

pi_model() {
    local model
    model=$(t /proc/device-tree/model)
    if [[ -r $model ]]; then
        tr -d '\0' <"$model"
    fi
}

apt_packages() {
    printf '%s\n' "${APT_PACKAGES[@]}"
    if ((read_only_root)); then
        echo overlayroot
    fi
}

# What the device must have: recorded in the target (the plan of an offline image, the
# record of a live install), installed now only on a live root.
record_plan() {
    local model gpio
    model=$(pi_model)
    if [[ $model == *"Raspberry Pi 5"* ]]; then
        # RPi.GPIO cannot drive the Pi 5's RP1 GPIO chip; rpi-lgpio has the same API.
        gpio=rpi-lgpio
    else
        gpio=markers  # pyproject: RPi.GPIO on 32-bit, rpi-lgpio on 64-bit
    fi
    ensure_dir "$PLAN" 755
    apt_packages | put "$PLAN/apt-packages" 644
    {
        echo "# pip install into $VENV (setup-kiosk.sh); board: ${model:-unknown}"
        echo "${SRC}[pi,ui]"
        [[ $gpio == rpi-lgpio ]] && echo "rpi-lgpio  # replaces RPi.GPIO on a Pi 5"
        true
    } | put "$PLAN/pip-requirements" 644
}

install_packages() {
    local missing=() pkg
    if [[ $install != yes ]]; then
        say "not installing Debian packages here; the list: $PLAN/apt-packages"
        return 0
    fi
    while read -r pkg; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$pkg")
    done < <(apt_packages)
    if ((${#missing[@]})); then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}"
    fi
}

# The source tree the venv is built from, owned by root (the kiosk must not rewrite its own
# code), replaced only when its content changed.
install_source() {
    local staging dest
    dest=$(t "$SRC")
    staging=$(mktemp -d)
    tar -C "$source_dir" --exclude=__pycache__ --exclude='*.pyc' --exclude='*.egg-info' \
        --mode=go-w -cf - pyproject.toml README.md kiosk systemd provisioning |
        tar -C "$staging" --no-same-owner -xf -
    if [[ -d $dest ]] && diff -r -q "$staging" "$dest" >/dev/null; then
        rm -rf "$staging"
        return 0
    fi
    ensure_dir "$OPT" 755
    rm -rf "$dest.new" "$dest.old"
    cp -a "$staging" "$dest.new"
    rm -rf "$staging"
    chmod 755 "$dest.new"
    [[ ! -d $dest ]] || mv "$dest" "$dest.old"
    mv "$dest.new" "$dest"
    rm -rf "$dest.old"
    say "installed the source in $SRC"
}

install_venv() {
    local stamp want
    if [[ $install != yes ]]; then
        say "not building $VENV here; the list: $PLAN/pip-requirements"
        return 0
    fi
    [[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
    want=$(cd "$SRC" && find . -type f -print0 | sort -z | xargs -0 sha256sum |
        cat - "$PLAN/pip-requirements" | sha256sum | cut -c1-16)
    stamp=$VENV/.installed
    [[ -f $stamp && $(cat "$stamp") == "$want" ]] && return 0
    "$VENV/bin/pip" install -q --upgrade pip
    if grep -q '^rpi-lgpio' "$PLAN/pip-requirements"; then
        "$VENV/bin/pip" uninstall -q -y RPi.GPIO || true
    fi
    grep -v '^#' "$PLAN/pip-requirements" | sed 's/ *#.*//' | xargs "$VENV/bin/pip" install -q
    echo "$want" >"$stamp"
    say "installed the application in $VENV"
}

# `sudo kiosk ...` runs as the kiosk user: files it creates in the data folder stay usable by
# the service (a root-owned kiosk.db-wal would stop the kiosk).
install_wrapper() {
    put /usr/local/bin/kiosk 755 <<EOF
#!/bin/sh
# Installed by setup-kiosk.sh: the kiosk command, as the $KIOSK_USER user when run as root.
if [ "\$(id -u)" = 0 ]; then
    exec runuser -u $KIOSK_USER -- $VENV/bin/kiosk "\$@"
fi
exec $VENV/bin/kiosk "\$@"
EOF
}

toml_string() {
    local value=${1//\\/\\\\}
    printf '"%s"' "${value//\"/\\\"}"
}

write_config() {
    ensure_dir "$CONF_DIR" 755
    if [[ -n $ca_file ]]; then
        put "$CONF_DIR/ca.crt" 644 <"$ca_file"
    fi
    if [[ -z $commune ]]; then
        say "keeping $CONF_DIR/kiosk.toml"
        return 0
    fi
    # root:kiosk 0640: the service reads it (group) but cannot rewrite its own credentials.
    {
        echo "# Written by provisioning/pi/setup-kiosk.sh: run it again to change these."
        echo "# Every other setting has its packaged default (kiosk config show)."
        echo "[kiosk]"
        echo "commune = $(toml_string "$commune")"
        echo "id = $(toml_string "$kiosk_id")"
        echo "data_dir = $(toml_string "$DATA_DIR")"
        echo
        echo "[hardware]"
        echo 'backend = "pi"'
        echo
        echo "[uplink]"
        if [[ -z $broker ]]; then
            echo "enabled = false   # no broker given yet"
        else
            echo "broker_url = $(toml_string "$broker")"
            echo "username = $(toml_string "$username")"
            echo "password = $(toml_string "$password")"
            if [[ -f $(t "$CONF_DIR/ca.crt") ]]; then
                echo "ca_file = $(toml_string "$CONF_DIR/ca.crt")"
            fi
        fi
    } | put "$CONF_DIR/kiosk.toml" 640 root "$KIOSK_USER"
}

install_units() {
    local unit enable disable
    for unit in "$source_dir"/systemd/kiosk*.service "$source_dir"/systemd/kiosk*.timer; do
        [[ $unit != */kiosk-hub.service ]] || continue  # the province's, not a kiosk's
        # shellcheck disable=SC2094  # reads the source tree, writes the target's /etc
        put "/etc/systemd/system/$(basename "$unit")" 644 <"$unit"
    done
    if ((headless)); then
        enable=(kiosk-uplink.service kiosk-backup.timer)
        disable=(kiosk.service)
    else
        enable=(kiosk.service kiosk-backup.timer)
        disable=(kiosk-uplink.service)
    fi
    # systemctl --root edits the symlinks offline: no running systemd needed, and it is a
    # no-op when they are already right.
    systemctl --root="$root" --quiet disable "${disable[@]}" 2>/dev/null || true
    systemctl --root="$root" --quiet enable "${enable[@]}"
    if live && [[ -d /run/systemd/system ]]; then
        systemctl daemon-reload
    fi
}

cap_journal() {
    put /etc/systemd/journald.conf.d/50-kiosk.conf 644 <<EOF
# setup-kiosk.sh: a journal that cannot fill (or wear out) the SD card.
[Journal]
SystemMaxUse=$journal_max
SystemMaxFileSize=8M
RuntimeMaxUse=16M
MaxRetentionSec=1month
EOF
}

# The USB stick for backups, mounted on demand when it is plugged in (never blocks booting).
usb_fstab() {
    ensure_dir "$USB_MOUNT" 755
    set_line /etc/fstab "^[^#[:space:]]+[[:space:]]+${USB_MOUNT}[[:space:]]" \
        "LABEL=$USB_LABEL $USB_MOUNT vfat noauto,nofail,x-systemd.automount,x-systemd.idle-timeout=60,x-systemd.device-timeout=5s,uid=$KIOSK_USER,gid=$KIOSK_USER,umask=0077 0 0"
}

ensure_data_dir() {
    ensure_dir "$DATA_DIR" 750 "$KIOSK_USER" "$KIOSK_USER"
}

# A read-only root: everything written to / goes to RAM and is gone at reboot, which saves
# the SD card from wear and from half-written files at power cuts; the database lives on its
# own partition, mounted read-write at /var/lib/kiosk.
read_only_root() {
    ((read_only_root)) || return 0
    local cmdline
    cmdline=$(firmware_dir)/cmdline.txt
    [[ -f $(t "$cmdline") ]] || die "no $cmdline in $root"
    # recurse=0: overlay / only, not the data partition mounted under it.
    if ! grep -q 'overlayroot=' "$(t "$cmdline")"; then
        sed '1s/^/overlayroot=tmpfs:recurse=0 /' "$(t "$cmdline")" |
            put "$cmdline" "$(stat -c '%a' "$(t "$cmdline")")"
        reboot_needed=1
    fi
    set_line /etc/fstab "^[^#[:space:]]+[[:space:]]+${DATA_DIR}[[:space:]]" \
        "$data_device $DATA_DIR ext4 defaults,noatime,nofail,x-systemd.device-timeout=10s 0 2"
    # The journal would only fill RAM; fake-hwclock must save the time where it survives.
    put /etc/systemd/journald.conf.d/60-kiosk-volatile.conf 644 <<'EOF'
# setup-kiosk.sh --read-only-root: the root is in RAM, keep the journal there, small.
[Journal]
Storage=volatile
EOF
    set_line /etc/default/fake-hwclock '^#?[[:space:]]*FILE=' "FILE=$DATA_DIR/fake-hwclock.data"
    put /etc/systemd/system/fake-hwclock.service.d/kiosk-data.conf 644 <<EOF
# setup-kiosk.sh --read-only-root: the saved time is on the data partition.
[Unit]
RequiresMountsFor=$DATA_DIR
EOF
}

check_config() {
    if [[ $install == yes && -x $VENV/bin/kiosk ]]; then
        runuser -u "$KIOSK_USER" -- "$VENV/bin/kiosk" --config "$CONF_DIR/kiosk.toml" \
            config check >/dev/null || die "$CONF_DIR/kiosk.toml does not pass 'kiosk config check'"
    fi
}

main() {
    parse_args "$@"
    load_bundle
    validate
    say "preparing $root (install: $install)"
    enable_spi
    ensure_user
    ensure_data_dir
    record_plan
    install_packages
    install_source
    install_venv
    install_wrapper
    write_config
    install_units
    cap_journal
    usb_fstab
    read_only_root
    check_config
    if ((reboot_needed)); then
        say "done; reboot for SPI, groups or the overlay to take effect"
    else
        say "done"
    fi
}

main "$@"
