package dev.cairn.tarexport;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.json.Json;
import dev.cairn.json.JsonValue;
import dev.cairn.json.JsonValue.JsonArray;
import dev.cairn.json.JsonValue.JsonObject;
import dev.cairn.json.JsonValue.JsonString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names an image archive gives its images: {@code manifest.json}'s RepoTags, or, in an archive
 * without one, the legacy {@code repositories} file (docker ignores it beside a manifest). They are
 * read by the reference grammar that tag, import and pull use, and a load checks them all before it
 * places any node: one bad name refuses the whole archive, naming the entry that holds it.
 */
final class ArchiveTags {
  private ArchiveTags() {}

  /**
   * Refuses the archive when any name it gives is not a reference a tag can be. Only the names are
   * checked: a manifest of the wrong shape is left to the plan, which says what is wrong with it.
   */
  static void check(byte[] manifest, byte[] repositories) {
    if (manifest != null) {
      if (!(Json.parse(manifest) instanceof JsonArray items)) {
        return;
      }
      for (int k = 0; k < items.items().size(); k++) {
        if (items.items().get(k) instanceof JsonObject item
            && field(item, "RepoTags") instanceof JsonArray tags) {
          List<String> names = new ArrayList<>();
          for (JsonValue t : tags.items()) {
            if (t instanceof JsonString s) {
              names.add(s.value());
            }
          }
          repoTags(names, "manifest.json entry " + k);
        }
      }
    } else if (repositories != null) {
      repositories(repositories);
    }
  }

  /**
   * The references of one manifest.json entry's RepoTags, each a {@code name:tag}, repeats once.
   */
  static List<Reference> repoTags(List<String> repoTags, String where) {
    List<Reference> refs = new ArrayList<>();
    for (String t : repoTags) {
      Reference ref;
      try {
        ref = Reference.parse(t);
      } catch (CairnException e) {
        throw e.in(where + ": RepoTag " + CairnException.quote(t));
      }
      if (ref.digest() != null) {
        throw CairnException.invalid(
            where + ": RepoTag " + CairnException.quote(t) + " is not a name:tag");
      }
      if (!refs.contains(ref)) {
        refs.add(ref);
      }
    }
    return List.copyOf(refs);
  }

  /** {@code repositories}: {@code {"name":{"tag":"id"}}}, each reference with its image ID. */
  static Map<Reference, String> repositories(byte[] bytes) {
    Map<Reference, String> out = new LinkedHashMap<>();
    JsonObject repos = Json.parseObject(bytes, "repositories");
    for (JsonValue.Member repo : repos.members()) {
      if (!(repo.value() instanceof JsonObject tagMap)) {
        throw CairnException.invalid(
            "repositories: " + CairnException.quote(repo.key()) + " is not an object");
      }
      for (JsonValue.Member tag : tagMap.members()) {
        String where = "repositories: " + CairnException.quote(repo.key() + ":" + tag.key());
        if (!(tag.value() instanceof JsonString id)) {
          throw CairnException.invalid(where + " does not name an image ID");
        }
        Reference ref;
        try {
          ref = Reference.parse(repo.key() + ":" + tag.key());
        } catch (CairnException e) {
          throw e.in(where);
        }
        String hex = id.value().startsWith("sha256:") ? id.value().substring(7) : id.value();
        if (!ArchiveNames.isId(hex)) {
          throw CairnException.invalid(
              where + ": image ID " + CairnException.quote(id.value()) + " is not 64 hex");
        }
        out.put(ref, hex);
      }
    }
    return out;
  }

  /** Go's decoding: keys match without regard to case, the last one wins. */
  static JsonValue field(JsonObject obj, String key) {
    JsonValue found = null;
    for (JsonValue.Member m : obj.members()) {
      if (m.key().equalsIgnoreCase(key)) {
        found = m.value();
      }
    }
    return found;
  }
}
