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
          "%s seed: %d (replay with -Dcairn.seed=%d)%n", test.getSimpleName(), RUN, RUN);
    }
    return mix(RUN ^ mix(test.getName().hashCode()));
  }

  /** How to replay this run, for failure messages: {@code -Dcairn.seed=N}. */
  public static String replay() {
    return "-Dcairn.seed=" + RUN;
  }

  /** A generator seeded with {@link #of}. */
  public static Random random(Class<?> test) {
    return new Random(of(test));
  }

  /**
   * {@code count} seeds for a parameterized test, derived from {@link #of}. They are scrambled, not
   * consecutive: {@link Random}'s first draws from neighbouring seeds are nearly the same (the
   * first {@code nextInt(4)} of seeds n and n+1 agree almost always).
   */
  public static LongStream stream(Class<?> test, int count) {
    long base = of(test);
    return LongStream.range(0, count).map(i -> mix(base + i));
  }

  /** SplitMix64's finaliser: every bit of the result depends on every bit of {@code z}. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
