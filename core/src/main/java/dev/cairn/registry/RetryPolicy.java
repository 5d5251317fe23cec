package dev.cairn.registry;

import java.time.Duration;

/**
 * How often and how patiently a failed request is tried again: transport errors, 408, 429 and 5xx
 * answers, and blob downloads cut short. The wait doubles from {@code initialBackoff} up to {@code
 * maxBackoff}; no new attempt begins once {@code maxElapsed} has passed since the first one failed
 * began, so a dead server fails in about that time plus one timeout, however many attempts are
 * allowed.
 *
 * @param maxAttempts attempts in all, the first included (1 means no retry)
 * @param maxElapsed how long after the start of the first attempt another may still begin
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoffs must satisfy 0 <= initial <= max");
    }
    if (maxElapsed.isNegative()) {
      throw new IllegalArgumentException("maxElapsed must not be negative");
    }
  }

  /** A policy bounded by its attempts alone (and a minute). */
  public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    this(maxAttempts, initialBackoff, maxBackoff, Duration.ofMinutes(1));
  }

  /**
   * 5 attempts, waits of 0.2 s doubling up to 10 s, none begun 20 s after the first: a refused
   * connection fails in about 3 s, a host that drops connection attempts in about 20 s (two 10 s
   * connect timeouts), one that never answers in about 30 s (one answer timeout).
   */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        5, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(20));
  }

  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  /** The wait before attempt {@code attempt + 1}, {@code attempt} counting from 1. */
  Duration backoff(int attempt) {
    long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }

  /**
   * Whether attempt {@code attempt + 1} may begin after waiting {@code wait}, the first having
   * begun at {@code startNanos} ({@link System#nanoTime()}).
   */
  boolean allowsAnother(int attempt, long startNanos, Duration wait) {
    long elapsed = System.nanoTime() - startNanos + wait.toNanos();
    return attempt < maxAttempts && elapsed < maxElapsed.toNanos();
  }
}
