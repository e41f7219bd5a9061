#!/usr/bin/env python3
"""Generate a monorepo-like tree for redline's benchmark: N files (default 20,000) in nested
folders, 2% of them configs redline audits (redis.conf, sentinel.conf, php.ini, Laravel apps'
.env, Django settings.py), the rest source, docs and data files redline must skip quickly.
Deterministic: the same N and CONFIGS give the same tree, and the same CONFIGS the same configs
(so that trees of different sizes with the same configs differ only in the other files).

usage: gen-tree.py DIR [N [CONFIGS]]      (CONFIGS defaults to 2% of N)
"""
import os
import random
import sys

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "corpus")


def corpus_files(folder):
    path = os.path.join(CORPUS, folder)
    return [open(os.path.join(path, f), "rb").read() for f in sorted(os.listdir(path))
            if os.path.isfile(os.path.join(path, f))]


def main():
    root = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    configs = int(sys.argv[3]) if len(sys.argv) > 3 else total * 2 // 100
    pick = random.Random(configs)  # which corpus file each config is
    rng = random.Random(total)  # the other files
    redis = corpus_files("redis")
    sentinel = corpus_files("sentinel")
    php = corpus_files("php-ini")
    env = corpus_files("laravel-env")
    django = corpus_files("django-settings")
    filler_kinds = [".js", ".ts", ".py", ".rb", ".go", ".md", ".json", ".yml", ".txt", ".css", ".html"]
    words = b"const value = compute(input, options); // requirepass is not here\n"
    made = 0
    folder_index = 0
    while made < total:
        folder = os.path.join(root, "pkg%03d" % (folder_index % 200), "src%02d" % (folder_index // 200))
        os.makedirs(folder, exist_ok=True)
        folder_index += 1
        for _ in range(10):
            if made >= total:
                break
            if made < configs:
                kind = made % 5
                if kind == 0:
                    name, data = "redis-%d.conf" % made, pick.choice(redis)
                elif kind == 1:
                    name, data = "sentinel-%d.conf" % made, pick.choice(sentinel)
                elif kind == 2:
                    name, data = "php.ini", pick.choice(php)
                elif kind == 3:
                    app = os.path.join(folder, "app%d" % made)
                    os.makedirs(app, exist_ok=True)
                    open(os.path.join(app, "artisan"), "wb").close()
                    name, data = os.path.join("app%d" % made, ".env"), pick.choice(env)
                else:
                    name, data = "settings.py", pick.choice(django)
                path = os.path.join(folder, name)
                if os.path.exists(path):
                    path = os.path.join(folder, "%d-%s" % (made, name))
            else:
                ext = rng.choice(filler_kinds)
                path = os.path.join(folder, "file%d%s" % (made, ext))
                data = words * rng.randint(5, 120)
            with open(path, "wb") as f:
                f.write(data)
            made += 1
    print("generated %d files (%d configs) under %s" % (made, configs, root))


if __name__ == "__main__":
    main()
