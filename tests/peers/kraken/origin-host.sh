#!/usr/bin/env bash
# One Kraken origin "host" of the test cluster (tests/peers/kraken/harness.ts). Run inside that host's mount
# namespace, where /tmp is the host's own directory, and inside the cluster's loopback-only network namespace.
#   origin-host.sh setup <ip> <port> <peer-port> <testfs-addr> <kraken-bin-dir>
#       writes /tmp/kraken/base.yaml (everything but the ring: Kraken's own example settings, a testfs backend)
#       and /tmp/kraken/nginx.tmpl (Kraken's origin nginx template, listening on <ip> only);
#   origin-host.sh restart   (what `systemctl restart kraken-origin` does on this host)
#       stops the origin and its nginx (one process group), starts it on /tmp/kraken/cluster.yaml.
#   origin-host.sh stop
set -euo pipefail
dir=/tmp/kraken
stop() {
  if [[ -s $dir/origin.pid ]]; then
    local pid
    pid="$(cat "$dir/origin.pid")"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$dir/origin.pid"
  fi
}
case "${1:-}" in
  setup)
    ip="$2" port="$3" peer_port="$4" testfs="$5" bin="$6"
    mkdir -p "$dir/log" "$dir/cache" "$dir/upload" "$dir/nginx"
    printf '%s\n' "$ip" "$port" "$peer_port" "$bin" > "$dir/host.env"
    cat > "$dir/base.yaml" <<YAML
zap:
  level: info
  development: false
  encoding: console
  disableStacktrace: true
  encoderConfig:
    messageKey: message
    nameKey: logger_name
    levelKey: level
    timeKey: ts
    callerKey: caller
    stacktraceKey: stack
    levelEncoder: capital
    timeEncoder: iso8601
    durationEncoder: seconds
    callerEncoder: short
  outputPaths: [$dir/log/origin.log]
  errorOutputPaths: [$dir/log/origin.log]
metainfogen:
  piece_lengths:
    0: 4MB
peer_id_factory: addr_hash
scheduler:
  log:
    timeEncoder: iso8601
  torrentlog:
    disable: true
localdb:
  source: $dir/origin.db
castore:
  upload_dir: $dir/upload/
  cache_dir: $dir/cache/
blobserver:
  listener:
    net: unix
    addr: $dir/origin.sock
nginx:
  name: kraken-origin
  template_path: $dir/nginx.tmpl
  cache_dir: $dir/nginx/
  log_dir: $dir/log/
backends:
  - namespace: .*
    backend:
      testfs:
        addr: $testfs
        root: blobs
        name_path: identity
writeback:
  retry_interval: 100ms
  poll_retries_interval: 250ms
hashring:
  refresh_interval: 1s
tls:
  server:
    disabled: true
YAML
    cat > "$dir/nginx.tmpl" <<TMPL
server {
  listen $ip:{{.port}};
  {{.client_verification}}
  client_max_body_size 10G;
  access_log {{.log_dir}}/nginx-access.log;
  error_log {{.log_dir}}/nginx-error.log;
  location / {
    proxy_pass http://{{.server}};
  }
}
TMPL
    ;;
  restart)
    stop
    { read -r ip; read -r port; read -r peer_port; read -r bin; } < "$dir/host.env"
    [[ -s $dir/cluster.yaml ]] || { echo "origin-host: no $dir/cluster.yaml to start from" >&2; exit 1; }
    rm -f "$dir/origin.sock"
    setsid "$bin/kraken-origin" --config "$dir/cluster.yaml" --blobserver-hostname "$ip" --blobserver-port "$port" \
      --peer-ip "$ip" --peer-port "$peer_port" >> "$dir/log/stdout.log" 2>&1 < /dev/null &
    echo "$!" > "$dir/origin.pid"
    ;;
  stop) stop ;;
  *) echo "usage: origin-host.sh setup|restart|stop" >&2; exit 2 ;;
esac
