package dev.cairn.digest;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads content whose digest (and, when known, size) was promised beforehand and fails at the end
 * if the bytes do not match, or as soon as they run past the promised size. Read it to EOF: the
 * check happens there.
 */
public final class VerifyingInputStream extends DigestingInputStream {
  private final Digest expected;
  private final long expectedSize;
  private final String what;
  private boolean verified;

  /**
   * @param expectedSize the promised size, or -1 when unknown
   * @param what names the content in errors, e.g. "layer sha256:ab… of library/alpine"
   */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
    super(in, expected.algorithm());
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.what = what;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0 && expectedSize >= 0 && size() > expectedSize) {
      throw new CairnException(
          CairnException.Kind.INVALID,
          what + ": more than the expected " + expectedSize + " bytes");
    }
    return n;
  }

  @Override
  protected void atEof() {
    if (verified) {
      return;
    }
    if (expectedSize >= 0 && size() != expectedSize) {
      throw CairnException.invalid(
          what + ": size mismatch: expected " + expectedSize + " bytes, got " + size());
    }
    Digest actual = digest();
    if (!actual.equals(expected)) {
      throw CairnException.invalid(
          what + ": digest mismatch: expected " + expected + ", got " + actual);
    }
    verified = true;
  }

  /** True once the end was reached and everything matched. */
  public boolean verified() {
    return verified;
  }
}
