package dev.cairn.distribution;

import dev.cairn.graph.Graph;
import dev.cairn.registry.BlobSource;
import dev.cairn.tarsplit.IsalGzip;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.function.LongConsumer;

/**
 * A node's layer tar, rebuilt from the graph and gzipped on a thread of its own as the upload reads
 * it: memory stays one pipe buffer whatever the layer's size, and no temporary file is written.
 * Each {@link #open} starts over, for an upload that restarts.
 */
final class LayerSource implements BlobSource {
  private static final int PIPE = 1 << 20;

  private final Graph graph;
  private final String nodeId;
  private final LongConsumer tarBytes;

  LayerSource(Graph graph, String nodeId, LongConsumer tarBytes) {
    this.graph = graph;
    this.nodeId = nodeId;
    this.tarBytes = tarBytes;
  }

  @Override
  public InputStream open() throws IOException {
    PipedInputStream in = new PipedInputStream(PIPE);
    PipedOutputStream pipe = new PipedOutputStream(in);
    Producer producer = new Producer(in);
    Thread.ofVirtual()
        .name("compress " + nodeId)
        .start(
            () -> {
              try (OutputStream gz = IsalGzip.open(pipe)) {
                graph.tarLayer(nodeId, new Counting(gz, tarBytes));
              } catch (Throwable t) {
                producer.failure = t;
              } finally {
                try {
                  pipe.close();
                } catch (IOException ignored) {
                  // the reader has gone; its failure is reported there
                }
              }
            });
    return producer;
  }

  /** The pipe's reading end, which fails at its end when the writing side failed. */
  private static final class Producer extends InputStream {
    private final PipedInputStream in;
    volatile Throwable failure;

    Producer(PipedInputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        check();
        throw e;
      }
      if (n < 0) {
        check();
      }
      return n;
    }

    private void check() throws IOException {
      Throwable t = failure;
      if (t instanceof IOException io) {
        throw io;
      }
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t != null) {
        throw new IOException("compressing the layer failed", t);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Counts the tar's bytes for the progress bar, as docker counts them. */
  private static final class Counting extends FilterOutputStream {
    private final LongConsumer sink;
    private long total;

    Counting(OutputStream out, LongConsumer sink) {
      super(out);
      this.sink = sink;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      sink.accept(++total);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      total += len;
      sink.accept(total);
    }
  }
}
