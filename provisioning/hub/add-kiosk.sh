#!/usr/bin/env bash
# Register a kiosk at the province and make its configuration bundle: kiosk.toml (its broker
# account) and ca.crt, in a folder to carry to the Pi (USB stick) and give to
#   sudo provisioning/pi/setup-kiosk.sh --bundle bundle-06001-01
#
#   sudo provisioning/hub/add-kiosk.sh 06001-01 --commune 06001 [--broker-url mqtts://host:8883]
#
# It runs `kiosk hub kiosk add` as the hub's user (the registry, the password and ACL files
# stay the hub's), then reloads Mosquitto so the new account works at once.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
# shellcheck disable=SC2034  # used by lib/common.sh
readonly PROG=add-kiosk
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$SCRIPT_DIR/../lib/common.sh"

kiosk_id=""
commune=""
broker_url=""
out=""
hub_config=/etc/kiosk/hub.toml
ca=/etc/mosquitto/certs/ca.crt
kiosk_cmd=/opt/kiosk/venv/bin/kiosk
run_as=kiosk-hub
reload=1

usage() {
    cat <<EOF
Usage: $0 KIOSK-ID --commune CODE [options]

  --broker-url URL   what kiosks connect to (default: mqtts://<server certificate name>:8883)
  --out DIR          the bundle folder (default: ./bundle-KIOSK-ID)
  --hub-config FILE  the hub configuration (default $hub_config)
  --ca FILE          the province CA certificate (default $ca)
  --kiosk CMD        the kiosk command (default $kiosk_cmd)
  --as USER          run it as USER (default $run_as; "" = as the caller)
  --no-reload        do not reload Mosquitto (then send it SIGHUP yourself)
EOF
}

parse_args() {
    while (($#)); do
        case $1 in
            --commune) commune=${2:?}; shift ;;
            --broker-url) broker_url=${2:?}; shift ;;
            --out) out=${2:?}; shift ;;
            --hub-config) hub_config=${2:?}; shift ;;
            --ca) ca=${2:?}; shift ;;
            --kiosk) kiosk_cmd=${2:?}; shift ;;
            --as) run_as=$2; shift ;;
            --no-reload) reload=0 ;;
            -h | --help) usage; exit 0 ;;
            -*) usage >&2; die "unknown option: $1" ;;
            *) [[ -z $kiosk_id ]] || die "one kiosk at a time"; kiosk_id=$1 ;;
        esac
        shift
    done
    [[ -n $kiosk_id && -n $commune ]] || { usage >&2; die "KIOSK-ID and --commune are required"; }
    [[ -r $ca ]] || die "cannot read the CA certificate $ca"
    if [[ -z $broker_url ]]; then
        local name
        name=$(openssl x509 -in "$(dirname "$ca")/server.crt" -noout -subject -nameopt sep_multiline |
            sed -n 's/^ *CN=//p')
        [[ -n $name ]] || die "give --broker-url (no server certificate beside $ca)"
        broker_url=mqtts://$name:8883
    fi
    [[ $broker_url =~ ^mqtts://[A-Za-z0-9.-]+(:[0-9]{1,5})?$ ]] ||
        die "--broker-url must be mqtts://host:port (kiosks use TLS)"
    out=${out:-bundle-$kiosk_id}
}

kiosk() {
    local cmd=("$kiosk_cmd" hub --hub-config "$hub_config" "$@")
    if [[ -n $run_as ]]; then
        runuser -u "$run_as" -- "${cmd[@]}"
    else
        "${cmd[@]}"
    fi
}

main() {
    local output
    root=/
    parse_args "$@"
    [[ ! -e $out ]] || die "$out exists already: the bundle of a kiosk is made once"
    output=$(kiosk kiosk add "$kiosk_id" --commune "$commune")
    mkdir -p "$out"
    chmod 700 "$out"
    # The registry's own kiosk.toml, from its [kiosk] line on, pointed at the public broker
    # (the hub's configuration names the loopback listener it uses itself).
    (
        umask 077
        sed -n '/^\[kiosk\]/,$p' <<<"$output" |
            sed "s|^broker_url = .*|broker_url = \"$broker_url\"|" >"$out/kiosk.toml"
    )
    grep -q '^password = ' "$out/kiosk.toml" || die "unexpected output of kiosk hub kiosk add"
    install -m 644 "$ca" "$out/ca.crt"
    if ((reload)) && [[ -d /run/systemd/system ]]; then
        systemctl reload mosquitto.service
    fi
    say "kiosk $kiosk_id registered; its bundle is $out/ (keep it secret: it holds the password)"
    cat "$out/kiosk.toml"
    say "on the Pi: sudo provisioning/pi/setup-kiosk.sh --bundle $out"
}

main "$@"
