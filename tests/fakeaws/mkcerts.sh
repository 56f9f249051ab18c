#!/usr/bin/env bash
# Makes the certificates of fakeaws's HTTPS mode, at test time, with the openssl command line:
#
#   tests/fakeaws/mkcerts.sh DIR
#
# DIR then holds (PEM; every certificate's key is server.key):
#   ca.pem          the test CA, for AWS_CA_BUNDLE
#   server.pem      signed by the CA, for 127.0.0.1 and localhost, valid from an hour ago for 2 days
#   expired.pem     signed by the CA, for 127.0.0.1 and localhost, valid only on 1 January 2020
#   wrongname.pem   signed by the CA, valid now, but for aws.example.invalid only
#   unknown-ca.pem  for 127.0.0.1 and localhost, valid now, signed by another CA (other-ca.pem)
# Nothing is trusted anywhere but where a test names ca.pem.
set -euo pipefail

[ $# -eq 1 ] || {
  echo "usage: $0 DIR" >&2
  exit 2
}
dir=$1
mkdir -p "$dir/db"
cd "$dir"

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# make_ca NAME: a self-signed CA in NAME.pem with its key NAME.key, and its database for `openssl ca`.
make_ca() {
  newkey "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=imgaudit $1" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  : >"db/$1.index"
  echo 1000 >"db/$1.serial"
}

# sign CA OUT SAN START END: OUT.pem for server.key, signed by CA, valid from START to END (YYYYMMDDHHMMSSZ).
# `openssl ca` is what sets a start date in the past with OpenSSL 3.0 (x509 -req cannot).
sign() {
  local ca=$1 out=$2 san=$3 start=$4 end=$5
  cat >"db/$out.cnf" <<CNF
[ca]
default_ca = this_ca
[this_ca]
database = db/$ca.index
serial = db/$ca.serial
new_certs_dir = db
default_md = sha256
policy = any
unique_subject = no
x509_extensions = leaf
[any]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = $san
CNF
  openssl req -new -key server.key -subj "/CN=imgaudit fakeaws" -out "db/$out.csr"
  openssl ca -batch -notext -config "db/$out.cnf" -cert "$ca.pem" -keyfile "$ca.key" -in "db/$out.csr" \
    -out "$out.pem" -startdate "$start" -enddate "$end" 2>/dev/null
}

now=$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)
later=$(date -u -d '+2 days' +%Y%m%d%H%M%SZ)
local_names=IP:127.0.0.1,DNS:localhost

newkey server.key
make_ca ca
make_ca other-ca
sign ca server "$local_names" "$now" "$later"
sign ca expired "$local_names" 20200101000000Z 20200102000000Z
sign ca wrongname DNS:aws.example.invalid "$now" "$later"
sign other-ca unknown-ca "$local_names" "$now" "$later"
