package dev.cairn.store;

import dev.cairn.CairnException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Store#prune} removes, as {@code docker image prune} takes it.
 *
 * @param all every image no mount uses, named or not ({@code -a}); else only dangling images
 * @param until only images created at or before this time, or null for any time
 * @param labels only images whose config has every one of these labels: {@code key} or {@code
 *     key=value}
 * @param notLabels not images whose config has every one of these labels (docker's {@code label!})
 */
public record PruneOptions(
    boolean all, Instant until, List<String> labels, List<String> notLabels) {

  public PruneOptions {
    labels = List.copyOf(labels);
    notLabels = List.copyOf(notLabels);
  }

  /** Dangling images only, unfiltered: {@code docker image prune}. */
  public static PruneOptions dangling() {
    return new PruneOptions(false, null, List.of(), List.of());
  }

  /**
   * The options of {@code docker image prune [-a] --filter F...}, each filter {@code key=value}
   * with docker's keys: {@code until} (a Go duration before {@code now}, a date or time as docker
   * takes it, read in {@code zone} when it names no zone, or Unix seconds), {@code label}, {@code
   * label!} and {@code dangling} (true or false, as {@code -a} says it).
   *
   * @throws CairnException INVALID for an unknown key or a value docker refuses, in docker's words
   */
  public static PruneOptions of(boolean all, List<String> filters, Instant now, ZoneId zone) {
    Instant until = null;
    List<String> labels = new ArrayList<>();
    List<String> notLabels = new ArrayList<>();
    List<String> dangling = new ArrayList<>(List.of(Boolean.toString(!all)));
    for (String filter : filters) {
      int eq = filter.indexOf('=');
      if (eq < 0) {
        throw CairnException.invalid(
            "bad format of filter (expected name=value): " + CairnException.quote(filter));
      }
      String key = filter.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
      String value = filter.substring(eq + 1).strip();
      switch (key) {
        case "until" -> {
          if (until != null) {
            throw CairnException.invalid("more than one until filter specified");
          }
          until = Timestamps.until(value, now, zone);
        }
        case "label" -> labels.add(value);
        case "label!" -> notLabels.add(value);
        case "dangling" -> dangling.add(value);
        default -> throw CairnException.invalid("invalid filter " + CairnException.quote(key));
      }
    }
    // As dockerd: any false among the dangling values prunes every unused image.
    boolean every = dangling.contains("false") || dangling.contains("0");
    for (String d : dangling) {
      if (!List.of("true", "false", "1", "0").contains(d)) {
        throw CairnException.invalid(
            "invalid filter 'dangling=" + d + "': dangling takes true or false");
      }
    }
    return new PruneOptions(every, until, labels, notLabels);
  }
}
