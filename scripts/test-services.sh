#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 before the suite runs: start them when they
# are installed but stopped, and fail with a clear message otherwise (the suite never skips them).
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if ! pg_up; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for v in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
    done
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
fi
if ! pg_up; then
  echo "ERROR: PostgreSQL is needed at 127.0.0.1:5432 (user postgres, trust auth) for the tests." >&2
  echo "       Install and start it: apt-get install -y postgresql && pg_ctlcluster 15 main start" >&2
  exit 1
fi

if ! redis_up; then
  echo "Redis is not answering on 127.0.0.1:6379; trying to start it"
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi
if ! redis_up; then
  echo "ERROR: Redis is needed at 127.0.0.1:6379 for the tests." >&2
  echo "       Install and start it: apt-get install -y redis-server && redis-server --daemonize yes" >&2
  exit 1
fi
echo "PostgreSQL and Redis are up"
