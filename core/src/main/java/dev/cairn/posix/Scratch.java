package dev.cairn.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Native memory reused by one thread's libc calls: the errno capture, two NUL-terminated names, the
 * times of a utimensat and a statx buffer. Allocating a fresh arena per call cost more than the
 * system call itself when a layer creates tens of thousands of small files. Every call fills what
 * it uses before calling and reads the results before the next call on the same thread.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);
  private static final int NAME = 4096; // PATH_MAX: longer names fail in the kernel anyway

  final MemorySegment state;
  final MemorySegment times;
  final MemorySegment stat;
  private MemorySegment first;
  private MemorySegment second;

  private Scratch() {
    Arena arena = Arena.ofAuto(); // freed with the thread's scratch, by the collector
    MemoryLayout capture = java.lang.foreign.Linker.Option.captureStateLayout();
    state = arena.allocate(capture);
    times = arena.allocate(32, 8);
    stat = arena.allocate(256, 8);
    first = arena.allocate(NAME + 1);
    second = arena.allocate(NAME + 1);
  }

  static Scratch current() {
    return CURRENT.get();
  }

  /** {@code name} NUL-terminated in the first name slot. */
  MemorySegment name1(byte[] name) {
    if (name.length >= first.byteSize()) {
      first = Arena.ofAuto().allocate(name.length + 1L);
    }
    return fill(first, name);
  }

  /** {@code name} NUL-terminated in the second name slot, for calls that take two names. */
  MemorySegment name2(byte[] name) {
    if (name.length >= second.byteSize()) {
      second = Arena.ofAuto().allocate(name.length + 1L);
    }
    return fill(second, name);
  }

  private static MemorySegment fill(MemorySegment s, byte[] name) {
    MemorySegment.copy(name, 0, s, ValueLayout.JAVA_BYTE, 0, name.length);
    s.set(ValueLayout.JAVA_BYTE, name.length, (byte) 0);
    return s;
  }
}
