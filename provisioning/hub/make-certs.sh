#!/usr/bin/env bash
# The province's MQTT certificates: a CA (kept for 20 years: every kiosk trusts it) and the
# broker's server certificate signed by it, with the names and addresses kiosks connect to.
# Optional client certificates for kiosks (the broker does not require them: each kiosk has
# its password).
#
#   provisioning/hub/make-certs.sh --out /etc/mosquitto/certs --host mqtt.thuvien.langson.gov.vn
#   provisioning/hub/make-certs.sh --out DIR --host localhost --ip 127.0.0.1 --client 06001-01
#
# Idempotent: what exists is kept (the CA above all: replacing it means visiting every kiosk);
# --renew-server makes a new server certificate (kiosks need nothing for that).
# Keep ca.key off the broker once the certificates are made (a USB stick in a safe).
set -euo pipefail

out=""
hosts=()
ips=()
clients=()
renew=0
readonly CA_DAYS=7300
readonly LEAF_DAYS=825
readonly CURVE=prime256v1

usage() {
    echo "Usage: $0 --out DIR --host NAME [--host NAME]... [--ip ADDR]... [--client ID]..." \
        "[--renew-server]"
}

die() {
    echo "make-certs: error: $*" >&2
    exit 1
}

while (($#)); do
    case $1 in
        --out) out=${2:?}; shift ;;
        --host) hosts+=("${2:?}"); shift ;;
        --ip) ips+=("${2:?}"); shift ;;
        --client) clients+=("${2:?}"); shift ;;
        --renew-server) renew=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
[[ -n $out ]] || die "--out is required"
((${#hosts[@]})) || die "at least one --host (the name kiosks use for the broker)"

mkdir -p "$out"
cd "$out"
umask 077

make_ca() {
    [[ -f ca.crt && -f ca.key ]] && return 0
    openssl req -x509 -new -newkey ec -pkeyopt "ec_paramgen_curve:$CURVE" -nodes \
        -keyout ca.key -out ca.crt -days "$CA_DAYS" -sha256 \
        -subj "/O=Thu vien co so Lang Son/CN=Thu vien MQTT CA" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    chmod 600 ca.key
    chmod 644 ca.crt
    echo "make-certs: new CA in $out/ca.crt"
}

# sign NAME COMMON-NAME EXTENSIONS: NAME.key + NAME.crt signed by the CA.
sign() {
    local name=$1 cn=$2 extensions=$3
    openssl req -new -newkey ec -pkeyopt "ec_paramgen_curve:$CURVE" -nodes \
        -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key \
        -set_serial "0x$(openssl rand -hex 16)" -days "$LEAF_DAYS" -sha256 \
        -extfile <(printf '%s\n' "$extensions") -out "$name.crt" 2>/dev/null
    rm -f "$name.csr"
    chmod 600 "$name.key"
    chmod 644 "$name.crt"
    openssl verify -CAfile ca.crt "$name.crt" >/dev/null
    echo "make-certs: $out/$name.crt"
}

make_server() {
    [[ -f server.crt && -f server.key && $renew -eq 0 ]] && return 0
    local san="" host ip
    for host in "${hosts[@]}"; do san+="DNS:$host,"; done
    for ip in "${ips[@]}"; do san+="IP:$ip,"; done
    # The subject names the broker (it shows up in kiosk logs); kiosks check the SAN.
    sign server "${hosts[0]}" "$(printf '%s\n' "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
        "subjectAltName=${san%,}")"
}

make_client() {
    local id=$1
    [[ $id =~ ^[a-z0-9][a-z0-9-]{2,31}$ ]] || die "not a kiosk id: $id"
    [[ -f $id.crt && -f $id.key ]] && return 0
    sign "$id" "$id" "$(printf '%s\n' "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=clientAuth")"
}

make_ca
make_server
for client in "${clients[@]}"; do
    make_client "$client"
done
