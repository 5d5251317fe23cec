package dev.cairn.graph;

import dev.cairn.CairnException;
import dev.cairn.digest.Digest;
import dev.cairn.digest.Digester;
import dev.cairn.tarsplit.EntryHandler;
import dev.cairn.tarsplit.FileSource;
import dev.cairn.tarsplit.TarSplit;
import java.io.BufferedInputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A node's layer as a tar (ARCHITECTURE.md, Raw bytes are the truth): rebuilt byte for byte from
 * its tar-split metadata and the driver's files, or, for a node without metadata (Docker 1.8), the
 * driver's diff, recorded on the way so that every later export gives the same bytes. Records a
 * DiffID a node lacks.
 */
final class LayerExport {
  private final Graph graph;

  LayerExport(Graph graph) {
    this.graph = graph;
  }

  long tarLayer(Node n, OutputStream out) throws IOException {
    try (Graph.Hold h = graph.retain(List.of(n.id()))) {
      Path meta = graph.dir().resolve(n.id()).resolve(NodeFiles.TAR_DATA);
      if (Files.exists(meta) && n.diffId() != null) {
        try (InputStream in = Files.newInputStream(meta);
            FileSource files = graph.driver().files(n.id())) {
          return TarSplit.assemble(in, files, out);
        }
      }
      DigestingOutput digesting = new DigestingOutput(out);
      long written;
      if (Files.exists(meta)) {
        try (InputStream in = Files.newInputStream(meta);
            FileSource files = graph.driver().files(n.id())) {
          written = TarSplit.assemble(in, files, digesting);
        }
        digesting.flush();
      } else {
        written = recordDriverDiff(n, digesting);
      }
      storeDiffId(n.id(), digesting.digester.digest());
      return written;
    } catch (CairnException e) {
      throw e.in("layer of image " + n.id());
    }
  }

  long tarLayerSize(Node n) throws IOException {
    Path meta = graph.dir().resolve(n.id()).resolve(NodeFiles.TAR_DATA);
    if (!Files.exists(meta) || n.diffId() == null) {
      tarLayer(n, OutputStream.nullOutputStream());
    }
    try (InputStream in = Files.newInputStream(meta)) {
      return TarSplit.size(in);
    } catch (CairnException e) {
      throw e.in("layer of image " + n.id());
    }
  }

  /**
   * The node's layer as a temporary file: the tar is written in full (and checked) before the
   * stream is handed out, and the file is gone once the stream is closed or the process exits.
   */
  TempLayer tempLayerArchive(Node n) throws IOException {
    Path file = graph.tempDirectory().resolve(n.id() + "." + Graph.random() + ".tar");
    try {
      try (FileOutputStream out = new FileOutputStream(file.toFile())) {
        tarLayer(n, out);
      }
      InputStream in = Files.newInputStream(file);
      long size = Files.size(file);
      Files.delete(file); // the open stream keeps the data; nothing is left behind
      return new TempLayer(in, size);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  // Docker 1.8 nodes: the driver's diff, tee'd to the caller while tar-split records it.
  private long recordDriverDiff(Node n, OutputStream out) throws IOException {
    Path staged =
        graph.tempDirectory().resolve(n.id() + "." + Graph.random() + "." + NodeFiles.TAR_DATA);
    try {
      long size;
      try (InputStream diff = graph.driver().diff(n.id(), n.parent());
          FileOutputStream meta = new FileOutputStream(staged.toFile())) {
        InputStream tee = new TeeInput(new BufferedInputStream(diff, 64 * 1024), out);
        EntryHandler ignore = (entry, payload) -> {};
        size = TarSplit.disassemble(tee, meta, ignore);
        tee.transferTo(OutputStream.nullOutputStream());
        out.flush();
        meta.getFD().sync();
      }
      try (RootLock.Held idLock = graph.lock().lockId(n.id())) {
        Path target = graph.dir().resolve(n.id()).resolve(NodeFiles.TAR_DATA);
        if (!Files.exists(target)) {
          Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
          NodeFiles.syncDir(graph.dir().resolve(n.id()));
        }
      }
      return size;
    } finally {
      Files.deleteIfExists(staged);
    }
  }

  private void storeDiffId(String id, Digest diffId) throws IOException {
    try (RootLock.Held idLock = graph.lock().lockId(id)) {
      Node n = graph.node(id).orElse(null);
      if (n == null) {
        return;
      }
      if (n.diffId() != null && !n.diffId().equals(diffId)) {
        throw CairnException.invalid(
            "the rebuilt tar has digest " + diffId + ", but the node's DiffID is " + n.diffId());
      }
      if (n.diffId() == null) {
        NodeFiles.replace(
            graph.dir().resolve(id), NodeFiles.DIFFID, Graph.ascii(diffId), graph.tempDirectory());
        graph.updated(id, x -> x.withDiffId(diffId));
      }
    }
  }

  /** An output stream that digests what passes through. */
  private static final class DigestingOutput extends FilterOutputStream {
    final Digester digester = Digester.sha256();

    DigestingOutput(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      digester.update(b, off, len);
      out.write(b, off, len);
    }
  }

  /** An input stream that copies what is read from it to an output stream. */
  private static final class TeeInput extends InputStream {
    private final InputStream in;
    private final OutputStream copy;

    TeeInput(InputStream in, OutputStream copy) {
      this.in = in;
      this.copy = copy;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        copy.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        copy.write(b, off, n);
      }
      return n;
    }
  }
}
