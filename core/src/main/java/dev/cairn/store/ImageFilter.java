package dev.cairn.store;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The filters of {@code docker images --filter} (the Engine API's {@code GET /images/json}), as
 * dockerd applies them: every filter given must hold.
 *
 * @param dangling true for untagged images with no image above them only, false for tagged ones
 *     only, null for both
 * @param references glob patterns ({@link NamePattern}): an image shows with the references that
 *     match one, and only when one does
 * @param labels {@code key} or {@code key=value}: the image's config has every one
 * @param before images (references or IDs): only images created before each of them
 * @param since images: only images created after each of them
 * @param until only images created before this time, or null (API 1.44's {@code until})
 */
public record ImageFilter(
    Boolean dangling,
    List<String> references,
    List<String> labels,
    List<String> before,
    List<String> since,
    Instant until) {

  /** No filter: every image of the listing. */
  public static final ImageFilter NONE =
      new ImageFilter(null, List.of(), List.of(), List.of(), List.of(), null);

  private static final Set<String> KEYS =
      Set.of("dangling", "label", "before", "since", "reference", "until");

  public ImageFilter {
    references = List.copyOf(references);
    labels = List.copyOf(labels);
    before = List.copyOf(before);
    since = List.copyOf(since);
    for (String r : references) {
      NamePattern.compile(r); // a bad pattern is refused before any image is read
    }
  }

  /**
   * The filters {@code key=value} with dockerd's keys ({@code dangling}, {@code reference}, {@code
   * label}, {@code before}, {@code since}, {@code until}); {@code until} is read as {@link
   * PruneOptions#of} reads it, against {@code now} in {@code zone}.
   *
   * @throws CairnException INVALID for an unknown key or a value dockerd refuses, in dockerd's
   *     words ({@code invalid filter 'x'}, {@code invalid filter 'dangling=[maybe]'}, {@code syntax
   *     error in pattern})
   */
  public static ImageFilter of(List<String> filters, Instant now, ZoneId zone) {
    Map<String, Set<String>> byKey = new java.util.LinkedHashMap<>();
    for (String filter : filters) {
      int eq = filter.indexOf('=');
      if (eq < 0) {
        throw CairnException.invalid(
            "bad format of filter (expected name=value): " + CairnException.quote(filter));
      }
      byKey
          .computeIfAbsent(filter.substring(0, eq), k -> new TreeSet<>())
          .add(filter.substring(eq + 1));
    }
    for (String key : byKey.keySet()) {
      if (!KEYS.contains(key)) {
        throw CairnException.invalid("invalid filter '" + key + "'");
      }
    }
    Boolean dangling = null;
    Set<String> d = byKey.get("dangling");
    if (d != null) {
      boolean isFalse = d.contains("false") || d.contains("0");
      boolean isTrue = d.contains("true") || d.contains("1");
      if (isFalse == isTrue) { // neither, or both: dockerd 28 takes no side
        throw CairnException.invalid("invalid filter 'dangling=[" + String.join(" ", d) + "]'");
      }
      dangling = isTrue;
    }
    Instant until = null;
    for (String u : byKey.getOrDefault("until", Set.of())) {
      Instant t = Timestamps.until(u, now, zone);
      until = until == null || t.isBefore(until) ? t : until;
    }
    return new ImageFilter(
        dangling,
        values(byKey, "reference"),
        values(byKey, "label"),
        values(byKey, "before"),
        values(byKey, "since"),
        until);
  }

  private static List<String> values(Map<String, Set<String>> byKey, String key) {
    return new ArrayList<>(byKey.getOrDefault(key, Set.of()));
  }

  /** Whether only references are filtered: the images' configs need not be read. */
  public boolean byReferenceOnly() {
    return dangling == null
        && labels.isEmpty()
        && before.isEmpty()
        && since.isEmpty()
        && until == null;
  }

  /**
   * Whether a reference matches one of the reference patterns (any does when there are none): the
   * rule {@link #apply} narrows an image's references with.
   */
  public Predicate<Reference> referenceMatch() {
    if (references.isEmpty()) {
      return r -> true;
    }
    List<NamePattern> patterns = references.stream().map(NamePattern::compile).toList();
    return r -> patterns.stream().anyMatch(p -> p.matches(r));
  }

  /**
   * The image as the filtered listing shows it, or null when it is left out: {@code img} is one of
   * the listing's ({@link Store#imageSummaries}; with {@code dangling=true}, one with no image
   * above it), {@code notBefore} and {@code notAfter} the bounds {@link #before}, {@link #until}
   * and {@link #since} make (null for none), {@code match} the {@link #referenceMatch}. As dockerd:
   * its references narrowed to those that match; an image left without any shows only when no
   * reference filter is given and dangling is not false; with dangling true, a tagged image does
   * not show.
   */
  ImageSummary apply(
      ImageSummary img, Instant notBefore, Instant notAfter, Predicate<Reference> match) {
    if (notBefore != null && !img.created().isBefore(notBefore)
        || notAfter != null && !img.created().isAfter(notAfter)) {
      return null;
    }
    if (!labels.isEmpty() && !hasLabels(img.labels())) {
      return null;
    }
    List<Reference> tags = img.repoTags().stream().filter(match).toList();
    List<Reference> digests = img.repoDigests().stream().filter(match).toList();
    if (tags.isEmpty() && digests.isEmpty()) {
      if (Boolean.FALSE.equals(dangling) || !references.isEmpty()) {
        return null;
      }
    } else if (Boolean.TRUE.equals(dangling) && !tags.isEmpty()) {
      return null;
    }
    if (tags.size() == img.repoTags().size() && digests.size() == img.repoDigests().size()) {
      return img;
    }
    return new ImageSummary(
        img.id(), img.parent(), tags, digests, img.created(), img.size(), img.labels());
  }

  // dockerd's MatchKVList: every label filter names a label the image has (with that value)
  private boolean hasLabels(Map<String, String> have) {
    if (have == null || have.isEmpty()) {
      return false;
    }
    for (String label : labels) {
      int eq = label.indexOf('=');
      String key = eq < 0 ? label : label.substring(0, eq);
      if (!have.containsKey(key) || eq >= 0 && !label.substring(eq + 1).equals(have.get(key))) {
        return false;
      }
    }
    return true;
  }
}
