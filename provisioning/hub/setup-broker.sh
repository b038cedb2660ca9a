#!/usr/bin/env bash
# The province side on one Debian 12 server: Mosquitto for the kiosks (TLS 8883, accounts and
# ACL from the hub's registry), the certificates, /etc/kiosk/hub.toml and kiosk-hub.service.
#
#   sudo provisioning/hub/setup-broker.sh --host mqtt.thuvien.langson.gov.vn [--ip 203.0.113.7]
#
# Then register each kiosk with provisioning/hub/add-kiosk.sh. Idempotent; with --root DIR it
# works on a tree instead of this machine (no apt, pip, systemctl start or reload there).
#
# Who reads what: /etc/mosquitto/kiosk/ is kiosk-hub:mosquitto 2750 (setgid), so the password
# and ACL files `kiosk hub kiosk add` writes there (as kiosk-hub, mode 0640) belong to group
# mosquitto and the broker can read them; nobody else can.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
# shellcheck disable=SC2034  # used by lib/common.sh
readonly PROG=setup-broker
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$SCRIPT_DIR/../lib/common.sh"

readonly HUB_USER=kiosk-hub
readonly BROKER_GROUP=mosquitto
readonly CERTS=/etc/mosquitto/certs
readonly ACCOUNTS=/etc/mosquitto/kiosk
readonly CONF=/etc/mosquitto/conf.d/thuvien.conf
readonly HUB_TOML=/etc/kiosk/hub.toml
readonly HUB_DATA=/var/lib/kiosk-hub
readonly VENV=/opt/kiosk/venv

root=/
hosts=()
ips=()
province=20
install=auto
source_dir=$(cd "$SCRIPT_DIR/../.." && pwd)

usage() {
    cat <<EOF
Usage: $0 --host NAME [--host NAME]... [--ip ADDR]... [options]

  --host NAME      a DNS name kiosks use for the broker (in the server certificate)
  --ip ADDR        an IP address kiosks may use instead (in the certificate too)
  --province CODE  the province code (default $province)
  --root DIR       work on the tree at DIR instead of this machine
  --no-install     do not run apt-get or pip
  --source DIR     the thuvien-kiosk source tree (default: this repository)
EOF
}

parse_args() {
    while (($#)); do
        case $1 in
            --host) hosts+=("${2:?}"); shift ;;
            --ip) ips+=("${2:?}"); shift ;;
            --province) province=${2:?}; shift ;;
            --root) root=${2:?}; shift ;;
            --no-install) install=no ;;
            --source) source_dir=${2:?}; shift ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; die "unknown option: $1" ;;
        esac
        shift
    done
    [[ $EUID -eq 0 ]] || die "run as root (sudo)"
    ((${#hosts[@]})) || die "at least one --host"
    [[ $province =~ ^[0-9]{2}$ ]] || die "--province is a 2-digit code"
    [[ -d $root ]] || die "--root $root is not a directory"
    root=$(cd "$root" && pwd)
    if ! live; then
        install=no
    elif [[ $install == auto ]]; then
        install=yes
    fi
}

install_packages() {
    [[ $install == yes ]] || return 0
    local missing=() pkg
    for pkg in mosquitto mosquitto-clients openssl python3-venv; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
    [[ -x $VENV/bin/kiosk ]] || {
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "${source_dir}[hub]"
    }
}

users() {
    # Debian's mosquitto package creates its user; on a bare tree, make it.
    ensure_system_user "$BROKER_GROUP" /var/lib/mosquitto "Mosquitto MQTT broker"
    ensure_system_user "$HUB_USER" "$HUB_DATA" "Thu vien provincial hub"
}

certificates() {
    local args=(--out "$(t "$CERTS")") host ip
    for host in "${hosts[@]}"; do args+=(--host "$host"); done
    for ip in "${ips[@]}"; do args+=(--ip "$ip"); done
    "$SCRIPT_DIR/make-certs.sh" "${args[@]}"
    ensure_dir "$CERTS" 750 root "$BROKER_GROUP"
    set_attrs "$(t "$CERTS/ca.crt")" 644 root root
    set_attrs "$(t "$CERTS/server.crt")" 644 root root
    set_attrs "$(t "$CERTS/server.key")" 640 root "$BROKER_GROUP"
    set_attrs "$(t "$CERTS/ca.key")" 600 root root
}

accounts() {
    local password
    ensure_dir "$ACCOUNTS" 2750 "$HUB_USER" "$BROKER_GROUP"
    # Only the first time: later the registry (`kiosk hub kiosk add|remove`) owns both files.
    if [[ ! -f $(t "$ACCOUNTS/acl") ]]; then
        put "$ACCOUNTS/acl" 640 "$HUB_USER" "$BROKER_GROUP" <<'EOF'
# Written by setup-broker.sh; `kiosk hub kiosk add|remove` rewrites it from the registry.

user hub
topic readwrite thuvien/v1/#
EOF
    fi
    # The kiosks' accounts (the TLS listener) and the hub's (the loopback listener only).
    [[ -f $(t "$ACCOUNTS/passwd") ]] || : >"$(t "$ACCOUNTS/passwd")"
    if [[ ! -f $(t "$HUB_TOML") ]]; then
        password=$(openssl rand -base64 24 | tr -d '/+=\n')
        : >"$(t "$ACCOUNTS/hub.passwd")"
        mosquitto_passwd -b "$(t "$ACCOUNTS/hub.passwd")" hub "$password"
        hub_toml "$password"
    fi
    set_attrs "$(t "$ACCOUNTS/passwd")" 640 "$HUB_USER" "$BROKER_GROUP"
    # (an older set-up kept the hub among the kiosks: `kiosk hub init` writes this file)
    [[ ! -f $(t "$ACCOUNTS/hub.passwd") ]] ||
        set_attrs "$(t "$ACCOUNTS/hub.passwd")" 640 "$HUB_USER" "$BROKER_GROUP"
}

hub_toml() {
    ensure_dir /etc/kiosk 755
    put "$HUB_TOML" 640 root "$HUB_USER" <<EOF
# Written by provisioning/hub/setup-broker.sh (once: edit it freely afterwards).
[hub]
province = "$province"
data_dir = "$HUB_DATA"
mosquitto_password_file = "$ACCOUNTS/passwd"
mosquitto_hub_password_file = "$ACCOUNTS/hub.passwd"
mosquitto_acl_file = "$ACCOUNTS/acl"

[broker]
# The hub workers on this machine use the loopback listener.
broker_url = "mqtt://127.0.0.1:1883"
username = "hub"
password = "$password"
EOF
}

broker_config() {
    put "$CONF" 644 <"$SCRIPT_DIR/mosquitto-thuvien.conf"
    ensure_dir "$HUB_DATA" 750 "$HUB_USER" "$HUB_USER"
    put /etc/systemd/system/kiosk-hub.service 644 <"$source_dir/systemd/kiosk-hub.service"
    systemctl --root="$root" --quiet enable kiosk-hub.service mosquitto.service 2>/dev/null ||
        systemctl --root="$root" --quiet enable kiosk-hub.service
}

start() {
    if live && [[ -d /run/systemd/system ]]; then
        systemctl daemon-reload
        systemctl restart mosquitto.service
        systemctl restart kiosk-hub.service
    fi
}

main() {
    parse_args "$@"
    install_packages
    users
    certificates
    accounts
    broker_config
    start
    say "done. Keep $CERTS/ca.key somewhere safe and off this server; add kiosks with"
    say "  $SCRIPT_DIR/add-kiosk.sh KIOSK-ID --commune CODE"
}

main "$@"
