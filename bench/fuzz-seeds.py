#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora (core/src/test/resources/.../CLASSInputs/METHOD/).

Seeds are small, valid or nearly valid inputs of every form each parser knows, so that a campaign
starts deep in the format; ./test.sh replays them. Tars come from GNU tar in each of its formats,
compressed blobs from the real gzip/bzip2/xz/zstd, tar-split metadata from the real tar-split.
Run from the repository root after changing a harness's input shape; the output is deterministic
except for what the tools themselves vary (none of them stamps times here).
"""
import base64, gzip, hashlib, io, json, os, shutil, subprocess, sys, tarfile, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RES = os.path.join(ROOT, "core/src/test/resources/dev/cairn")
TESTRES = os.path.join(ROOT, "core/src/test/resources")


def seeds(pkg, cls, method, items):
    d = os.path.join(RES, pkg, cls + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if name.startswith("seed-"):
            os.remove(os.path.join(d, name))
    for name, data in items.items():
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)


def run(*cmd, cwd=None, stdin=None):
    return subprocess.run(cmd, cwd=cwd, input=stdin, check=True, capture_output=True).stdout


def gnu_tars(work):
    """One small tree archived by GNU tar in each format it writes."""
    tree = os.path.join(work, "tree")
    os.makedirs(os.path.join(tree, "dir/sub"))
    with open(os.path.join(tree, "dir/file"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(tree, "dir/sub/" + "n" * 120), "w") as f:
        f.write("a long name\n")
    os.symlink("file", os.path.join(tree, "dir/link"))
    os.symlink("t" * 150, os.path.join(tree, "dir/longlink"))
    os.link(os.path.join(tree, "dir/file"), os.path.join(tree, "dir/hard"))
    open(os.path.join(tree, "dir/.wh.gone"), "w").close()
    open(os.path.join(tree, "dir/sub/.wh..wh..opq"), "w").close()
    os.mkfifo(os.path.join(tree, "dir/fifo"))
    try:
        os.setxattr(os.path.join(tree, "dir/file"), "user.cairn", b"v")
    except OSError:
        pass
    for p in ["dir", "dir/sub"]:
        os.chmod(os.path.join(tree, p), 0o755)
    out = {}
    for fmt in ["gnu", "oldgnu", "ustar", "pax", "v7", "posix"]:
        args = ["tar", "--format=" + fmt, "--sort=name", "--mtime=@1600000000",
                "--owner=0", "--group=0", "--numeric-owner", "--blocking-factor=1", "-cf", "-"]
        if fmt in ("pax", "posix"):
            args.insert(1, "--xattrs")
            args.insert(1, "--pax-option=delete=atime,delete=ctime")
        names = ["dir"] if fmt not in ("ustar", "v7") else ["dir/file", "dir/link", "dir/hard", "dir/fifo"]
        try:
            out[fmt + ".tar"] = run(*args, *names, cwd=tree)
        except subprocess.CalledProcessError:
            pass  # a format that cannot hold one of the names
    return out


def main():
    work = tempfile.mkdtemp()
    try:
        tars = gnu_tars(work)
        small = tars["gnu.tar"]
        seeds("tar", "TarReaderFuzzTest", "everyByteOfAnAcceptedTarIsReportedOnceInOrder", tars)
        seeds("tarsplit", "TarSplitFuzzTest", "anAcceptedTarIsAssembledBackByteForByte", tars)

        meta = {}
        for fmt in ["gnu", "pax"]:
            out = os.path.join(work, fmt + ".json.gz")
            run("tar-split", "disasm", "--output", out, "--no-stdout", "-", stdin=tars[fmt + ".tar"])
            m = open(out, "rb").read()
            meta[fmt + ".jsonl"] = gzip.decompress(m)
        meta["handmade.jsonl"] = (
            json.dumps({"type": 2, "payload": base64.b64encode(b"x" * 512).decode(), "position": 0}) + "\n"
            + json.dumps({"type": 1, "name": "a", "size": 6, "payload": base64.b64encode(bytes(8)).decode(), "position": 1}) + "\n")
        seeds("tarsplit", "TarSplitFuzzTest", "anyMetadataAssemblesOrIsRefused", meta)

        blobs = {"plain.tar": small}
        for tool, ext in [("gzip", "gz"), ("bzip2", "bz2"), ("xz", "xz"), ("zstd", "zst")]:
            blobs["tar." + ext] = run(tool, "-c", stdin=small)
        blobs["gzip-multi.gz"] = run("gzip", "-c", stdin=b"a") + run("gzip", "-c", stdin=b"b")
        seeds("archive", "DecompressFuzzTest", "anyBlobDecompressesWithinItsCapOrIsRefused", blobs)

        seeds("archive", "LayerFuzzTest", "aLayerFileOpenedByAnyNameIsOneOfTheLayersOwn", {
            n.replace("/", "_") or "empty": n for n in
            ["f", "d/e/g", "up", "abs", "d/back", "d/top", "loop", "../f", "/d/../f", "d/e/../../f", "d//e/./g"]})

        v1 = open(os.path.join(TESTRES, "strongid/post1.9/v1compatibility"), "rb").read()
        v1old = open(os.path.join(TESTRES, "strongid/pre1.9/v1compatibility"), "rb").read()
        config = open(os.path.join(TESTRES, "strongid/post1.9/expected_config"), "rb").read()
        layer = gzip.compress(small, mtime=0)
        diff = "sha256:" + hashlib.sha256(small).hexdigest()
        oci_config = json.dumps({
            "created": "2024-01-02T03:04:05.123456789Z", "architecture": "arm64", "variant": "v8",
            "os": "linux", "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"], "Labels": {"a": "b"},
                                      "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/data": {}}},
            "rootfs": {"type": "layers", "diff_ids": [diff]},
            "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "ADD x /"},
                        {"created_by": "ENV a=b", "empty_layer": True}]}).encode()
        seeds("json", "JsonFuzzTest", "aParsedDocumentCompactsTheSameWayTwice", {
            "v1.json": v1, "config.json": config, "oci-config.json": oci_config,
            "escapes.json": '{"a":"\\u00e9\\ud83d\\ude00\\n<>&\\u2028","b":[1e400,-0.0,12345678901234567890],"c":null,"d":true}',
            "nested.json": "[[[[{}]]]]"})
        seeds("image", "ImageFuzzTest", "aV1ImageDecodedFromAnyJsonEncodesToAFixedPoint",
              {"post19.json": v1, "pre19.json": v1old, "config.json": config})
        seeds("image", "ImageFuzzTest", "anImageConfigIsParsedWithItsPlatformAndHistoryOrRefused",
              {"oci.json": oci_config, "docker.json": config})

        signed = open(os.path.join(TESTRES, "schema1/registry-signed.json"), "rb").read()
        payload_end = signed.rfind(b',\n   "signatures"')
        unsigned = signed[:payload_end] + b"\n}" if payload_end > 0 else signed
        seeds("image", "ImageFuzzTest", "aSchema1ManifestIsVerifiedAndItsImagesDerivedOrRefused",
              {"signed.json": signed, "unsigned.json": unsigned})

        cfg_digest = "sha256:" + hashlib.sha256(oci_config).hexdigest()
        layer_digest = "sha256:" + hashlib.sha256(layer).hexdigest()
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                       "size": len(oci_config), "digest": cfg_digest},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                        "size": len(layer), "digest": layer_digest}]}, indent=3).encode()
        oci_manifest = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "size": len(oci_config), "digest": cfg_digest},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
                        "size": 1, "digest": layer_digest, "urls": ["https://x/y"],
                        "annotations": {"k": "v"}}]}).encode()
        index = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7,
                 "digest": layer_digest, "platform": {"os": "linux", "architecture": "amd64"}},
                {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7,
                 "digest": cfg_digest, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}]}).encode()
        # FuzzedDataProvider takes single values from the end: [body][index?][type index].
        seeds("image", "ImageFuzzTest", "aManifestOrIndexIsParsedOrRefused", {
            "docker-manifest": manifest + b"\x00\x01", "oci-manifest": oci_manifest + b"\x00\x02",
            "untyped-manifest": manifest + b"\x00\x00", "oci-index": index + b"\x01\x04",
            "docker-list": index.replace(b"oci.image.index.v1", b"docker.distribution.manifest.list.v2") + b"\x01\x03"})
        seeds("image", "ImageFuzzTest", "aReferenceParsesBackFromEachOfItsForms", {
            "short": "alpine", "tagged": "library/alpine:3.19", "host": "localhost:5000/a/b:c",
            "ipv6": "[::1]:5000/x@" + cfg_digest, "both": "quay.io/a/b:t@" + layer_digest,
            "legacy": "index.docker.io/user/repo"})

        seeds("registry", "RegistryFuzzTest", "challengesParseIntoSchemesAndLowercaseParameters", {
            "bearer": 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
            "two": 'Basic realm="r", Bearer realm="https://a/t",error="invalid_token"\nNegotiate abc==',
            "escapes": 'Bearer realm="https://a/t?x=\\"y\\"", service=reg'})
        seeds("registry", "RegistryFuzzTest", "aTokenAnswerGivesAHeaderSafeTokenThatExpiresLaterOrIsRefused", {
            "token": '{"token":"abc.def.ghi","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"}',
            "access": '{"access_token":"xyz","expires_in":3600.5}', "refresh": '{"token":"t","refresh_token":"r"}'})
        seeds("registry", "RegistryFuzzTest", "aRegistriesConfIsReadOrRefusedNamingTheFile", {
            "mirrors.conf": 'unqualified-search-registries = ["docker.io"]\n\n[[registry]]\nprefix = "docker.io"\nlocation = "registry-1.docker.io"\ninsecure = false\nblocked = false\n\n[[registry.mirror]]\nlocation = "127.0.0.1:5001"\ninsecure = true\npull-from-mirror = "digest-only"\n',
            "wildcard.conf": '[[registry]]\nprefix = "*.example.com"\nlocation = "mirror.local/example"\n',
            "v1.conf": '[registries.search]\nregistries = ["docker.io"]\n[registries.insecure]\nregistries = ["localhost:5000"]\n'})
        seeds("registry", "RegistryFuzzTest", "aDaemonJsonIsReadOrRefusedNamingTheFile", {
            "daemon.json": '{"registry-mirrors":["https://mirror.gcr.io","http://127.0.0.1:5001"],"insecure-registries":["localhost:5000","10.0.0.0/8"],"debug":true}'})

        seeds("tarexport", "LoaderFuzzTest", "aRefusedArchiveLeavesTheStoreAsItWas", archives(small, oci_config, diff))
    finally:
        shutil.rmtree(work)


def archives(layer_tar, config, diff):
    """A docker save archive in its two eras and an OCI layout, each with one one-layer image."""
    cfg_hex = hashlib.sha256(config).hexdigest()
    layer_hex = hashlib.sha256(layer_tar).hexdigest()

    def tar_of(files):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
            for name, data in files:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = 1600000000
                t.addfile(info, io.BytesIO(data))
        return buf.getvalue()

    v1 = json.dumps({"id": layer_hex, "created": "2024-01-02T03:04:05Z", "os": "linux"}).encode()
    docker = tar_of([
        (layer_hex + "/VERSION", b"1.0"), (layer_hex + "/json", v1), (layer_hex + "/layer.tar", layer_tar),
        (cfg_hex + ".json", config),
        ("manifest.json", json.dumps([{"Config": cfg_hex + ".json", "RepoTags": ["fuzz:latest"],
                                       "Layers": [layer_hex + "/layer.tar"]}]).encode()),
        ("repositories", json.dumps({"fuzz": {"latest": layer_hex}}).encode())])
    legacy = tar_of([
        (layer_hex + "/VERSION", b"1.0"), (layer_hex + "/json", v1), (layer_hex + "/layer.tar", layer_tar),
        ("repositories", json.dumps({"fuzz": {"old": layer_hex}}).encode())])
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config),
                   "digest": "sha256:" + cfg_hex},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": len(layer_tar),
                    "digest": "sha256:" + layer_hex}]}).encode()
    man_hex = hashlib.sha256(manifest).hexdigest()
    oci = tar_of([
        ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
        ("index.json", json.dumps({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": len(manifest),
            "digest": "sha256:" + man_hex,
            "annotations": {"io.containerd.image.name": "docker.io/library/fuzz:oci"}}]}).encode()),
        ("blobs/sha256/" + man_hex, manifest), ("blobs/sha256/" + cfg_hex, config),
        ("blobs/sha256/" + layer_hex, layer_tar),
        ("manifest.json", json.dumps([{"Config": "blobs/sha256/" + cfg_hex, "RepoTags": ["fuzz:oci"],
                                       "Layers": ["blobs/sha256/" + layer_hex]}]).encode())])
    return {"docker-save.tar": docker, "legacy.tar": legacy, "oci-archive.tar": oci}


if __name__ == "__main__":
    sys.exit(main())
