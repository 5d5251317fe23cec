package dev.cairn.testing;

import java.security.SecureRandom;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;

/**
 * Seeds for property tests: fresh each run, so that every run tries new cases, and printed, so that
 * a failing run can be replayed with {@code -Dcairn.seed=N} (which fixes every test class's seed,
 * each derived from N and the class's name).
 */
public final class Seeds {
  private Seeds() {}

  private static final long RUN = Long.getLong("cairn.seed", new SecureRandom().nextLong());
  private static final Set<String> PRINTED = ConcurrentHashMap.newKeySet();

  /** The seed of {@code test} in this run. */
  public static long of(Class<?> test) {
    if (PRINTED.add(test.getName())) {
      System.out.printf(
          "%s: run seed %d (replay with -Dcairn.seed=%d)%n", test.getSimpleName(), RUN, RUN);
    }
    return RUN ^ (test.getName().hashCode() * 0x9E3779B97F4A7C15L);
  }

  /** A generator seeded with {@link #of}. */
  public static Random random(Class<?> test) {
    return new Random(of(test));
  }

  /** {@code count} distinct seeds for a parameterized test, derived from {@link #of}. */
  public static LongStream stream(Class<?> test, int count) {
    long base = of(test);
    return LongStream.range(0, count).map(i -> base + i);
  }
}
