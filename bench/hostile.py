#!/usr/bin/env python3
"""Hostile trees of issue 10 (bounded work): generate each, run every given redline binary on it
under GNU time, and print a Markdown table of exit status, peak memory, wall time and report
size. A run killed by a signal (a stack overflow aborts with SIGABRT) shows as `signal N`.

usage: bench/hostile.py REDLINE [REDLINE...]    (needs GNU time: apt-get install time)
e.g.   bench/hostile.py /path/to/main/redline target/release/redline
"""

import os
import subprocess
import sys
import tempfile


def write(root, path, data):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


HEAD = 'SESSION_ENGINE = "django.contrib.sessions.backends.cache"\n'


def junk(root):
    write(root, "redis.conf", "port 6379\n" + "x\n" * 1_000_000)


def django_sum(root):
    write(root, "settings.py", HEAD + "CACHES = " + "+".join(["1"] * 25_000) + "\n")


def django_strings(root):
    write(root, "settings.py", HEAD + "X = " + " + ".join(['"a"'] * 25_000) + "\n")


def django_workers(root):
    for app in ("one", "two"):
        write(root, f"{app}/settings.py", HEAD + "CACHES = " + "+".join(["1"] * 7_000) + "\n")


def php_tilde(root):
    write(root, "php.ini", "session.save_handler = redis\nsession.gc_maxlifetime = " + "~" * 100_000 + "1\n")


def laravel_env_defaults(root):
    write(root, "artisan", "")
    write(
        root,
        "config/session.php",
        "<?php\nreturn ['driver' => " + "env('X', " * 50_000 + "'redis'" + ")" * 50_000 + "];\n",
    )


def php_quotes(root):
    lines = "".join(f"x.k{i} = a=b{i}\n" for i in range(4_000))
    write(root, "php.ini", "session.save_handler = redis\n" + lines)


def php_vars(root):
    lines = "".join(f"k{i} = ${{k0}}\n" for i in range(1, 50_000))
    write(root, "php.ini", "session.save_handler = redis\nk0 = 1\n" + lines)


def env_vars(root):
    write(root, "artisan", "")
    write(root, ".env", "SESSION_DRIVER=" + "${A:-" * 200_000 + "x" + "}" * 200_000 + "\n")


def laravel_apps(root):
    for i in range(40_000):
        write(root, f"app{i}/artisan", "")
        write(root, f"app{i}/.env", "SESSION_DRIVER=redis\nREDIS_HOST=127.0.0.1\n")


CASES = [
    ("2 MB of junk lines (check --format json)", junk, ["check", "--no-config", "--format", "json"]),
    ("Django `1+1+...` 25k terms", django_sum, ["check", "--no-config", "--format", "json"]),
    ('Django `"a" + "a" ...` 25k terms', django_strings, ["check", "--no-config", "--format", "json"]),
    ("two 14 KB modules on worker threads", django_workers, ["check", "--no-config", "--format", "json"]),
    ("php.ini `~~~...1` (100k)", php_tilde, ["check", "--no-config", "--format", "json"]),
    ("Laravel `env(.., env(..))` 50k deep", laravel_env_defaults, ["check", "--no-config", "--format", "json"]),
    ("fix: php.ini 4,000 unquoted `=`", php_quotes, ["fix", "--no-config"]),
    ("php.ini 50k `${k0}`", php_vars, ["check", "--no-config"]),
    (".env `${A:-${A:-...}}` 200k", env_vars, ["check", "--no-config"]),
    ("40,000 Laravel apps", laravel_apps, ["check", "--no-config"]),
]


def measure(binary, args, cwd):
    timing = os.path.join(cwd, "..", "time.txt")
    out_path = os.path.join(cwd, "..", "out.txt")
    with open(out_path, "wb") as out:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%x %M %e", "-o", timing, binary, *args, "."],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
    with open(timing) as f:
        lines = f.read().strip().splitlines()
    status, kib, secs = lines[-1].split()
    if any("signal" in line for line in lines):
        status = lines[0].replace("Command terminated by ", "")
    return status, int(kib), float(secs), os.path.getsize(out_path)


def main():
    binaries = sys.argv[1:]
    if not binaries:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    print("| case | binary | exit | peak RSS | time | report |")
    print("|---|---|---|---|---|---|")
    for name, make, args in CASES:
        with tempfile.TemporaryDirectory() as work:
            tree = os.path.join(work, "tree")
            os.makedirs(tree)
            make(tree)
            for binary in binaries:
                status, kib, secs, size = measure(os.path.abspath(binary), args, tree)
                print(f"| {name} | {binary} | {status} | {kib / 1024:.0f} MB | {secs:.2f} s | {size:,} B |")


if __name__ == "__main__":
    main()
