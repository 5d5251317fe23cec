package dev.cairn.testing;

import dev.cairn.CairnException;
import java.util.Set;

/**
 * The invariant every fuzz harness holds its parser to: bad input ends in a {@link CairnException}
 * of an expected kind that says what is wrong, and in nothing else. Any other throwable escapes to
 * Jazzer, which reports it as a finding and keeps the input.
 */
public final class Fuzz {
  private Fuzz() {}

  /**
   * How long one fuzzing run of a harness lasts; a campaign ({@code bench/fuzz.sh}) is several
   * runs, each starting from the corpus the last one grew. Replaying the corpus takes seconds.
   */
  public static final String ROUND = "5m";

  /** A step that may fail with a checked exception. */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  /** Runs {@code step}; an {@code INVALID} refusal with a message is the only allowed failure. */
  public static void rejectsCleanly(Step step) throws Exception {
    rejectsCleanly(Set.of(CairnException.Kind.INVALID), step);
  }

  /** Runs {@code step}; a refusal of one of {@code kinds}, with a message, is allowed. */
  public static void rejectsCleanly(Set<CairnException.Kind> kinds, Step step) throws Exception {
    try {
      step.run();
    } catch (CairnException e) {
      if (!kinds.contains(e.kind())) {
        throw new AssertionError("refused as " + e.kind() + ", expected one of " + kinds, e);
      }
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        throw new AssertionError("refused without saying why", e);
      }
    }
  }
}
