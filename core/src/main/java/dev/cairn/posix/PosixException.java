package dev.cairn.posix;

import java.io.IOException;

/** A failed system call: the call, the file it was about, and the errno with its text. */
public final class PosixException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  PosixException(String call, String file, int errno) {
    super(call + " " + file + ": " + Posix.strerror(errno) + " (errno " + errno + ")");
    this.errno = errno;
  }

  /** The C {@code errno} value, for callers that branch on it (see the {@code E*} constants). */
  public int errno() {
    return errno;
  }
}
