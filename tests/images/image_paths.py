"""The guest image paths (VMLINUZ, INITRD, BUSYBOX_IMG, VMLINUZ_BUILTIN, ...) as
images/paths.sh prints them, for the Python boot tests and benchmarks."""

import os
import subprocess


def image_paths(source_dir):
    """Runs images/paths.sh of the source tree and returns its variables as a dict."""
    out = subprocess.run([os.path.join(source_dir, "images", "paths.sh")], capture_output=True, text=True, check=True)
    paths = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition("=")
        paths[key] = value.strip("'\"")
    return paths
