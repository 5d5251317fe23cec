#!/usr/bin/env python3
"""Makes the benchmark images as OCI image layouts: bench/images.py DIR [NAME...]

Images (NAME: what it holds), each layer a tar made by GNU tar and gzipped by gzip -6 -n:
  big          4 layers, 64 MiB each (one 32 MiB file, 2 x 8 MiB, 4 x 2 MiB, 16 x 256 KiB,
               64 x 64 KiB); GNU tar format; gzip shrinks it about 2.9 times
  small-files  1 layer: 30,000 files of 1 to 4 KiB, plus symbolic links (relative, absolute,
               dangling, to a directory), hard links, a fifo, an empty file, setuid and sticky
               modes, paths longer than 100 and 255 bytes, a UTF-8 name, owners other than root
               and a uid above 2,097,151; POSIX (pax) format
  chain        20 small layers: whiteouts of a file, a symbolic link and a directory, opaque
               directories, a directory replaced by a file and a file by a directory, one layer
               whose member names start with "./", the same layer blob twice, and two history
               entries without a layer; ustar format
  huge         1 layer of one 2 GiB file, made only when named
Without NAME, the first three. Layouts go to DIR/NAME with the image tagged "latest". The bytes depend
only on this file and on the tar and gzip versions, so a layout is made again only when this file
changed (DIR/NAME/.maker holds its hash). File contents alternate base64 lines of a seeded
pseudo-random stream (incompressible) with numbered log lines (very compressible), so that layers
compress as real ones do.
"""

import base64
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

MTIME = 1700000000
CREATED = "2023-11-14T22:13:20Z"
KIB = 1024
MIB = 1024 * KIB


class Stream:
    """Deterministic text: a random base64 line, then a log line, and so on."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.count = 0
        self.buffer = bytearray()

    def _refill(self):
        raw = self.rng.randbytes(57 * 512)
        parts = []
        for i in range(512):
            self.count += 1
            parts.append(base64.b64encode(raw[i * 57 : (i + 1) * 57]) + b"\n")
            # 105 bytes whatever the seed, so that every image has the same mix
            parts.append(
                b"%012d INFO component=bench-images event=layer.write outcome=ok"
                b' note="log text that repeats well."\n' % self.count
            )
        self.buffer += b"".join(parts)

    def take(self, size):
        while len(self.buffer) < size:
            self._refill()
        out = bytes(self.buffer[:size])
        del self.buffer[:size]
        return out

    def lines(self, count):
        out = bytearray()
        for _ in range(count):
            while b"\n" not in self.buffer:
                self._refill()
            end = self.buffer.index(b"\n") + 1
            out += self.buffer[:end]
            del self.buffer[:end]
        return bytes(out)


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def fill(path, seed, size, mode=0o644):
    write(path, Stream(seed).take(size), mode)


def tar(stage, out, fmt, *extra, dot=False):
    """GNU tar of STAGE's top entries (no "./" prefix, as docker writes them) or of "." (dot)."""
    members = ["."] if dot else sorted(os.listdir(stage))
    subprocess.run(
        ["tar", "--format=" + fmt, "--sort=name", "--numeric-owner", "--mtime=@%d" % MTIME]
        + list(extra)
        + ["-C", stage, "-cf", out, "--"]
        + members,
        check=True,
    )


# ---------------------------------------------------------------- the three images


def big(stage, out):
    tars = []
    for n in range(1, 5):
        root = os.path.join(stage, "l%d" % n)
        data = Stream("big-%d" % n)
        top = os.path.join(root, "opt/big/layer%d" % n)
        write(os.path.join(top, "huge.dat"), data.take(32 * MIB), 0o755)
        for k in range(2):
            write(os.path.join(top, "medium-%d.dat" % k), data.take(8 * MIB))
        for k in range(4):
            write(os.path.join(top, "small-%d.dat" % k), data.take(2 * MIB))
        for k in range(16):
            write(os.path.join(top, "tiny/t-%02d.dat" % k), data.take(256 * KIB))
        for k in range(64):
            write(os.path.join(root, "usr/share/big%d/x-%03d" % (n, k)), data.take(64 * KIB))
        t = os.path.join(out, "%02d.tar" % n)
        tar(root, t, "gnu", "--owner=0", "--group=0")
        shutil.rmtree(root)
        tars.append(t)
    return tars, []


def small_files(stage, out):
    root = os.path.join(stage, "l1")
    lib = os.path.join(root, "usr/lib/pyfake")
    data = Stream("small-files")
    for n in range(30000):
        name = "pkg%02d/sub%02d/file_%03d.py" % (n // 1000, n // 100 % 10, n % 100)
        # 12 to 47 lines, about 1 to 4 KiB, spread evenly by the file's number
        write(os.path.join(lib, name), data.lines(12 + (n * 23) % 36))
    link = os.symlink
    link("pkg00", os.path.join(lib, "current"))
    os.makedirs(os.path.join(root, "usr/bin"))
    for n in range(100):
        link(
            "../lib/pyfake/pkg%02d/sub00/file_000.py" % (n % 30),
            os.path.join(root, "usr/bin/tool-%02d" % n),
        )
    os.makedirs(os.path.join(root, "etc/alternatives"))
    link("/usr/lib/pyfake/pkg01/sub01/file_001.py", os.path.join(root, "etc/alternatives/python"))
    os.makedirs(os.path.join(root, "usr/share"))
    link("/nonexistent/target", os.path.join(root, "usr/share/dangling"))
    first = os.path.join(lib, "pkg00/sub00/file_000.py")
    os.link(first, os.path.join(lib, "hardlink-a.py"))
    os.link(first, os.path.join(root, "usr/share/hardlink-b.py"))
    d60, n120 = "d" * 60, "n" * 120
    fill(os.path.join(root, "usr/share/deep", d60, n120 + ".txt"), "deep", 3000)  # > 100 bytes
    fill(os.path.join(root, "usr/share/deeper", *[d60] * 4, n120 + ".txt"), "deeper", 2000)  # > 255
    utf8 = os.path.join(root, "usr/share/i18n/ünïcødé-文件.txt")
    fill(utf8, "utf8", 1500)
    os.chown(utf8, 65534, 65534)
    write(os.path.join(root, "etc/empty.conf"), b"")
    fill(os.path.join(root, "usr/bin/suid-tool"), "suid", 2048, 0o4755)
    for d in ("tmp", "run", "var/empty"):
        os.makedirs(os.path.join(root, d))
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    os.mkfifo(os.path.join(root, "run/bench.fifo"), 0o644)
    for dirpath, dirs, files in os.walk(os.path.join(lib, "pkg29")):
        for e in [dirpath] + [os.path.join(dirpath, f) for f in files]:
            os.lchown(e, 1000, 1000)
    big_id = os.path.join(root, "var/lib/bigid/file")
    fill(big_id, "bigid", 1024)
    os.chown(big_id, 4000000, 4000000)  # above ustar's 7 octal digits: a pax header
    t = os.path.join(out, "01.tar")
    # PaxHeaders without the pid GNU tar puts in by default, and no atime or ctime records,
    # so that the tar is the same on every run
    tar(root, t, "pax", "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime")
    return [t], []


def chain(stage, out):
    tars = []

    def layer_1(r):
        fill(f"{r}/etc/os-release", "os-1", 200)
        fill(f"{r}/etc/obsolete.conf", "obsolete", 300)
        fill(f"{r}/etc/keep.conf", "keep", 300)
        fill(f"{r}/bin/sh", "sh", 65536, 0o755)
        for k in "abc":
            fill(f"{r}/var/cache/app/{k}.cache", "cache-" + k, 4096)
        for k in range(1, 6):
            fill(f"{r}/opt/data/{k}.bin", "data-%d" % k, 16384)
        fill(f"{r}/usr/lib/libfoo.so.1", "libfoo-1", 40000)
        os.symlink("libfoo.so.1", f"{r}/usr/lib/libfoo.so")
        fill(f"{r}/srv/dir-to-file/inner.txt", "dir-to-file", 500)
        fill(f"{r}/srv/file-to-dir", "file-to-dir", 500)

    def layer_19(r):
        fill(f"{r}/usr/local/bin/tool", "tool", 30000, 0o755)
        os.link(f"{r}/usr/local/bin/tool", f"{r}/usr/local/bin/tool-hardlink")
        os.symlink("tool", f"{r}/usr/local/bin/tool-symlink")

    empty = b""
    special = {
        1: layer_1,
        2: lambda r: (
            fill(f"{r}/etc/layer02.conf", "layer-2", 400),
            fill(f"{r}/etc/os-release", "os-2", 210),
        ),
        3: lambda r: fill(f"{r}/dup/same.txt", "dup", 8192),
        5: lambda r: write(f"{r}/etc/.wh.obsolete.conf", empty),  # a file whited out
        7: lambda r: fill(f"{r}/var/cache/app/d.cache", "cache-d", 4096),
        8: lambda r: (  # the directory made opaque, then filled again
            write(f"{r}/var/cache/app/.wh..wh..opq", empty),
            fill(f"{r}/var/cache/app/new.cache", "cache-new", 4096),
        ),
        10: lambda r: (  # a symbolic link whited out
            write(f"{r}/usr/lib/.wh.libfoo.so", empty),
            fill(f"{r}/usr/lib/libfoo.so.2", "libfoo-2", 40000),
        ),
        12: lambda r: write(f"{r}/opt/.wh.data", empty),  # a whole directory whited out
        14: lambda r: fill(f"{r}/opt/data/fresh.bin", "fresh", 16384),
        15: lambda r: (
            fill(f"{r}/srv/dir-to-file", "now-a-file", 700),
            fill(f"{r}/srv/file-to-dir/inner.txt", "now-a-dir", 700),
        ),
        18: lambda r: (  # opaque marker on a directory no layer below has
            write(f"{r}/newdir/.wh..wh..opq", empty),
            fill(f"{r}/newdir/x.txt", "newdir", 1000),
        ),
        19: layer_19,
        20: lambda r: (
            fill(f"{r}/etc/os-release", "os-20", 220),
            write(f"{r}/etc/.wh.layer02.conf", empty),
        ),
    }
    for n in range(1, 21):
        r = os.path.join(stage, "l%02d" % n)
        os.makedirs(r)
        t = os.path.join(out, "%02d.tar" % n)
        if n == 17:  # byte for byte layer 3 again: one blob, two layers
            shutil.copyfile(tars[2], t)
        else:
            if n in special:
                special[n](r)
            else:
                for k in (1, 2, 3):
                    fill(f"{r}/usr/share/layer{n:02d}/f{k}.txt", "chain-%d-%d" % (n, k), 8192 * k)
            tar(r, t, "ustar", "--owner=0", "--group=0", dot=(n == 2))
        tars.append(t)
    # (after which layer, what a layerless step ran)
    empties = [(1, "/bin/sh -c #(nop)  ENV BENCH=chain"), (20, '/bin/sh -c #(nop)  CMD ["/bin/sh"]')]
    return tars, empties


def huge(stage, out):
    """One layer of one 2 GiB file: for the peak memory of a pull (not made unless asked for)."""
    root = os.path.join(stage, "l1")
    path = os.path.join(root, "data/huge.bin")
    os.makedirs(os.path.dirname(path))
    data = Stream("huge")
    with open(path, "wb") as f:
        for _ in range(2 * 1024 // 16):
            f.write(data.take(16 * MIB))
    t = os.path.join(out, "01.tar")
    tar(root, t, "gnu", "--owner=0", "--group=0")
    shutil.rmtree(root)
    return [t], []


MAKERS = {"big": big, "small-files": small_files, "chain": chain, "huge": huge}
DEFAULT = ["big", "small-files", "chain"]


# ---------------------------------------------------------------- OCI image layout


def add_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs/sha256", digest)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layout(name, tars, empties, dest):
    os.makedirs(os.path.join(dest, "blobs/sha256"))
    layers, diff_ids, history = [], [], []
    for n, t in enumerate(tars, 1):
        with open(t, "rb") as f:
            diff_ids.append("sha256:" + hashlib.file_digest(f, "sha256").hexdigest())
        with open(t + ".gz", "wb") as gz:
            subprocess.run(["gzip", "-6", "-n", "-c", t], check=True, stdout=gz)
        with open(t + ".gz", "rb") as gz:
            digest = hashlib.file_digest(gz, "sha256").hexdigest()
        blob = os.path.join(dest, "blobs/sha256", digest)
        if not os.path.exists(blob):
            shutil.move(t + ".gz", blob)
        layers.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": "sha256:" + digest,
                "size": os.path.getsize(blob),
            }
        )
        history.append({"created": CREATED, "created_by": "/bin/sh -c #(nop) ADD file:layer%02d in / " % n})
        history += [
            {"created": CREATED, "created_by": by, "empty_layer": True} for at, by in empties if at == n
        ]
    config = {
        "created": CREATED,
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "BENCH=" + name],
            "Cmd": ["/bin/sh"],
            "WorkingDir": "/",
            "Labels": {"bench.image": name},
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }
    compact = {"separators": (",", ":")}
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            **add_blob(dest, json.dumps(config, **compact).encode()),
        },
        "layers": layers,
    }
    top = {
        "mediaType": manifest["mediaType"],
        **add_blob(dest, json.dumps(manifest, **compact).encode()),
        "annotations": {"org.opencontainers.image.ref.name": "latest"},
    }
    write(os.path.join(dest, "index.json"), json.dumps({"schemaVersion": 2, "manifests": [top]}).encode())
    write(os.path.join(dest, "oci-layout"), b'{"imageLayoutVersion":"1.0.0"}')
    packed = sum(layer["size"] for layer in layers)
    plain = sum(os.path.getsize(t) for t in tars)
    return "%s: %d layers, %d bytes gzipped, %d bytes of tar" % (name, len(tars), packed, plain)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: bench/images.py DIR [NAME...]")
    base = sys.argv[1]
    names = sys.argv[2:] or DEFAULT
    with open(__file__, "rb") as f:
        maker = hashlib.sha256(f.read()).hexdigest()
    os.umask(0o022)
    os.makedirs(base, exist_ok=True)
    scratch_base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    for name in names:
        if name not in MAKERS:
            sys.exit("bench/images.py: no image named %s (%s)" % (name, ", ".join(MAKERS)))
        dest = os.path.join(base, name)
        stamp = os.path.join(dest, ".maker")
        if os.path.exists(stamp) and open(stamp).read() == maker:
            continue
        shutil.rmtree(dest, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="cairn-images-", dir=scratch_base) as scratch:
            stage, out = os.path.join(scratch, "stage"), os.path.join(scratch, "tars")
            os.makedirs(stage)
            os.makedirs(out)
            tars, empties = MAKERS[name](stage, out)
            print(layout(name, tars, empties, dest), file=sys.stderr)
        write(stamp, maker.encode())


if __name__ == "__main__":
    main()
