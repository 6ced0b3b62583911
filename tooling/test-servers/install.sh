#!/usr/bin/env bash
# Installs the database servers the backend tests start on Debian, when missing:
# redis-server, memcached and postgresql with apt, valkey-server from
# bookworm-backports; moto's DynamoDB server from PyPI, in a venv; FerretDB built
# from tooling/ferretdb; and Elasticsearch's integ-test distribution from Maven Central. Idempotent, and quick when everything is there. Elsewhere
# (no apt, not root) it says what is missing and leaves it to Docker or to you;
# under CI=true a missing server is an error.
set -euo pipefail

# moto's DynamoDB, a second implementation the DynamoDB store is tested against, in a venv of its own.
MOTO_VERSION=5.2.5
moto_venv="${XDG_CACHE_HOME:-$HOME/.cache}/kv-test-servers/moto-$MOTO_VERSION"
if [ ! -x "$moto_venv/bin/moto_server" ] && command -v python3 >/dev/null 2>&1; then
  echo "installing moto[server] $MOTO_VERSION in $moto_venv"
  python3 -m venv "$moto_venv" && "$moto_venv/bin/pip" install -q "moto[server]==$MOTO_VERSION" || { rm -rf "$moto_venv"; echo "moto could not be installed" >&2; }
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/kv-test-servers"

# py-key-value (the Python original) in a venv of its own: the interop tests write with
# it and read with @kv, and the reverse; the wrapper tests check its payload formats.
# Its Elasticsearch client stays on 8.x to speak to the 8.x server.
PYKV_VERSION=0.4.6
pykv_venv="${XDG_CACHE_HOME:-$HOME/.cache}/kv-test-servers/py-key-value-$PYKV_VERSION"
if [ ! -f "$pykv_venv/.installed" ] && command -v python3 >/dev/null 2>&1; then
  echo "installing py-key-value-aio $PYKV_VERSION in $pykv_venv"
  rm -rf "$pykv_venv"
  python3 -m venv "$pykv_venv" &&
    "$pykv_venv/bin/pip" install -q "py-key-value-aio[redis,valkey,memcached,postgresql,mongodb,elasticsearch,dynamodb,filetree,disk,memory,pydantic,wrappers-encryption]==$PYKV_VERSION" "elasticsearch>=8,<9" &&
    touch "$pykv_venv/.installed" || { rm -rf "$pykv_venv"; echo "py-key-value could not be installed" >&2; }
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# FerretDB (MongoDB wire protocol on SQLite), built from our own tooling/ferretdb
# module; Go's build cache makes this quick after the first time.
if command -v go >/dev/null 2>&1; then
  (cd "$here/../ferretdb" && go build -o "$cache/ferretdb/ferretdb" .) || echo "FerretDB could not be built" >&2
fi

# Elasticsearch's integ-test distribution from Maven Central, unpacked once; it runs
# as an unprivileged user, since Elasticsearch refuses root.
ES_VERSION=8.19.7
# As root it goes where its own user can read it (a home directory is usually closed).
es_parent="$cache"
[ "$(id -u)" = 0 ] && es_parent=/var/cache/kv-test-servers
es_home="$es_parent/elasticsearch-$ES_VERSION"
if [ ! -x "$es_home/bin/elasticsearch" ] && command -v mvn >/dev/null 2>&1; then
  echo "fetching Elasticsearch $ES_VERSION (integ-test-zip) from Maven Central"
  if mvn -q dependency:get -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" >/dev/null; then
    zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
    mkdir -p "$es_parent" && rm -rf "$es_home.partial" && mkdir "$es_home.partial" &&
      (cd "$es_home.partial" && unzip -q "$zip") && mv "$es_home.partial/elasticsearch-$ES_VERSION" "$es_home" && rm -rf "$es_home.partial"
  else
    echo "Elasticsearch could not be fetched" >&2
  fi
fi
if [ -d "$es_home" ] && [ "$(id -u)" = 0 ]; then
  id elasticsearch >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin elasticsearch
  # Elasticsearch writes its keystore into its config directory.
  chown -R elasticsearch: "$es_home"
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v memcached >/dev/null 2>&1 || missing+=(memcached)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v valkey-server >/dev/null 2>&1 || missing+=(valkey-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

# With a container engine that answers, the tests get servers from Testcontainers.
if command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
  echo "test servers missing locally (${missing[*]}); Docker answers, so the tests use Testcontainers"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "test servers missing: ${missing[*]} (install them, or run Docker for Testcontainers)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
fi

echo "installing test servers: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The tests start their own servers on free ports; keep the packages' services from starting.
policy=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=true
fi
trap '[ "$created_policy" = true ] && rm -f "$policy"' EXIT

plain=()
for package in "${missing[@]}"; do
  [ "$package" != valkey-server ] && plain+=("$package")
done

apt_updated=false
if [[ " ${missing[*]} " == *" valkey-server "* ]]; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$codename" > /etc/apt/sources.list.d/backports.sources
  fi
  apt-get update -qq
  apt_updated=true
  apt-get install -y -qq --no-install-recommends -t "${codename}-backports" valkey-server >/dev/null
fi
if [ ${#plain[@]} -gt 0 ]; then
  [ "$apt_updated" = true ] || apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${plain[@]}" >/dev/null
fi
echo "test servers installed"
