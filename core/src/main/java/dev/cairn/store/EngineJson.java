package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.image.EngineConfig;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The store's views as the Docker Engine API (20.10) writes them: Go's encoding, docker's field
 * names, order and value forms ({@code ""} for no parent, {@code null} for a nil list), so that
 * what cairn prints or serves reads as dockerd's answer.
 */
public final class EngineJson {
  private EngineJson() {}

  /** A JSON array of {@link ImageInspect}s, as {@code GET /images/{name}/json} gives each one. */
  public static byte[] inspect(List<ImageInspect> images) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('[');
    for (int i = 0; i < images.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      inspect(w, images.get(i));
    }
    return w.punct(']').toByteArray();
  }

  private static void inspect(GoJsonWriter w, ImageInspect img) {
    w.punct('{');
    w.name("Id").string(img.id().toString()).punct(',');
    w.name("RepoTags");
    references(w, img.repoTags());
    w.punct(',').name("RepoDigests");
    references(w, img.repoDigests());
    w.punct(',').name("Parent").string(digest(img.parent())).punct(',');
    w.name("Comment").string(img.comment()).punct(',');
    w.name("Created").string(img.created().format()).punct(',');
    w.name("Container").string(img.container()).punct(',');
    w.name("ContainerConfig");
    config(w, img.containerConfig());
    w.punct(',').name("DockerVersion").string(img.dockerVersion()).punct(',');
    w.name("Author").string(img.author()).punct(',');
    w.name("Config");
    config(w, img.config());
    w.punct(',').name("Architecture").string(img.architecture()).punct(',');
    if (!img.variant().isEmpty()) {
      w.name("Variant").string(img.variant()).punct(',');
    }
    w.name("Os").string(img.os()).punct(',');
    if (!img.osVersion().isEmpty()) {
      w.name("OsVersion").string(img.osVersion()).punct(',');
    }
    w.name("Size").number(img.size()).punct(',');
    w.name("VirtualSize").number(img.size()).punct(',');
    w.name("RootFS").punct('{').name("Type").string("layers");
    if (!img.layers().isEmpty()) {
      w.punct(',').name("Layers").punct('[');
      for (int i = 0; i < img.layers().size(); i++) {
        if (i > 0) {
          w.punct(',');
        }
        w.string(img.layers().get(i).toString());
      }
      w.punct(']');
    }
    w.punct('}').punct('}');
  }

  /** A container config alone, as Go encodes docker's container.Config. */
  static byte[] config(EngineConfig c) {
    GoJsonWriter w = new GoJsonWriter();
    config(w, c);
    return w.toByteArray();
  }

  /** docker's container config (container.Config): every field but those Go omits when empty. */
  private static void config(GoJsonWriter w, EngineConfig c) {
    if (c == null) {
      w.ascii("null");
      return;
    }
    w.punct('{');
    w.name("Hostname").string(c.hostname()).punct(',');
    w.name("Domainname").string(c.domainname()).punct(',');
    w.name("User").string(c.user()).punct(',');
    w.name("AttachStdin").bool(c.attachStdin()).punct(',');
    w.name("AttachStdout").bool(c.attachStdout()).punct(',');
    w.name("AttachStderr").bool(c.attachStderr()).punct(',');
    if (c.exposedPorts() != null && !c.exposedPorts().isEmpty()) {
      w.name("ExposedPorts");
      set(w, c.exposedPorts());
      w.punct(',');
    }
    w.name("Tty").bool(c.tty()).punct(',');
    w.name("OpenStdin").bool(c.openStdin()).punct(',');
    w.name("StdinOnce").bool(c.stdinOnce()).punct(',');
    w.name("Env");
    strings(w, c.env());
    w.punct(',').name("Cmd");
    strings(w, c.cmd());
    w.punct(',');
    if (c.healthcheck() != null) {
      w.name("Healthcheck");
      health(w, c.healthcheck());
      w.punct(',');
    }
    if (c.argsEscaped()) {
      w.name("ArgsEscaped").bool(true).punct(',');
    }
    w.name("Image").string(c.image()).punct(',');
    w.name("Volumes");
    set(w, c.volumes());
    w.punct(',').name("WorkingDir").string(c.workingDir()).punct(',');
    w.name("Entrypoint");
    strings(w, c.entrypoint());
    w.punct(',');
    if (c.networkDisabled()) {
      w.name("NetworkDisabled").bool(true).punct(',');
    }
    if (!c.macAddress().isEmpty()) {
      w.name("MacAddress").string(c.macAddress()).punct(',');
    }
    w.name("OnBuild");
    strings(w, c.onBuild());
    w.punct(',').name("Labels");
    map(w, c.labels());
    if (!c.stopSignal().isEmpty()) {
      w.punct(',').name("StopSignal").string(c.stopSignal());
    }
    if (c.stopTimeout() != null) {
      w.punct(',').name("StopTimeout").number(c.stopTimeout());
    }
    if (c.shell() != null && !c.shell().isEmpty()) {
      w.punct(',').name("Shell");
      strings(w, c.shell());
    }
    w.punct('}');
  }

  private static void health(GoJsonWriter w, EngineConfig.Health h) {
    List<Runnable> fields = new ArrayList<>();
    if (h.test() != null && !h.test().isEmpty()) {
      fields.add(() -> strings(w.name("Test"), h.test()));
    }
    long[] values = {h.interval(), h.timeout(), h.startPeriod(), h.retries()};
    String[] names = {"Interval", "Timeout", "StartPeriod", "Retries"};
    for (int i = 0; i < values.length; i++) {
      if (values[i] != 0) {
        long v = values[i];
        String name = names[i];
        fields.add(() -> w.name(name).number(v));
      }
    }
    w.punct('{');
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      fields.get(i).run();
    }
    w.punct('}');
  }

  /**
   * A JSON object of string members in the order given, with Go's escaping: a row as docker's
   * command line prints it for {@code --format json}.
   */
  public static String strings(SequencedMap<String, String> members) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{');
    boolean first = true;
    for (Map.Entry<String, String> m : members.entrySet()) {
      if (!first) {
        w.punct(',');
      }
      first = false;
      w.name(m.getKey()).string(m.getValue());
    }
    w.punct('}');
    return new String(w.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * One message of docker's JSON progress stream (jsonmessage.JSONMessage): the status alone, or
   * for a layer ({@code id} not null) also its {@code progressDetail} (bytes done of {@code total},
   * when {@code current} is not negative; {@code total} when positive) and the rendered {@code
   * progress} bar.
   */
  public static String progress(String id, String status, long current, long total, String bar) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("status").string(status);
    if (id != null) {
      w.punct(',').name("progressDetail").punct('{');
      if (current >= 0) {
        w.name("current").number(current);
        if (total > 0) {
          w.punct(',').name("total").number(total);
        }
      }
      w.punct('}');
      if (current >= 0) {
        w.punct(',').name("progress").string(bar);
      }
      w.punct(',').name("id").string(id);
    }
    w.punct('}');
    return new String(w.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** An error in docker's JSON progress stream: {@code errorDetail.message} and {@code error}. */
  public static String error(String message) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("errorDetail").punct('{').name("message").string(message).punct('}');
    w.punct(',').name("error").string(message).punct('}');
    return new String(w.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Go's json.Indent, as docker's command line lays out what the engine sent: one member or element
   * per line, {@code indent} per level.
   */
  public static byte[] indent(byte[] json, String indent) {
    return GoJsonWriter.indent(json, indent);
  }

  private static String digest(Digest d) {
    return d == null ? "" : d.toString();
  }

  private static void references(GoJsonWriter w, List<Reference> refs) {
    w.punct('[');
    for (int i = 0; i < refs.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.string(refs.get(i).familiar());
    }
    w.punct(']');
  }

  private static void strings(GoJsonWriter w, List<String> list) {
    if (list == null) {
      w.ascii("null");
      return;
    }
    w.punct('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.string(list.get(i));
    }
    w.punct(']');
  }

  private static void set(GoJsonWriter w, Collection<String> keys) {
    if (keys == null) {
      w.ascii("null");
      return;
    }
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort(GoJsonWriter.KEY_ORDER); // Go writes map keys sorted
    w.punct('{');
    for (int i = 0; i < sorted.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.name(sorted.get(i)).ascii("{}");
    }
    w.punct('}');
  }

  private static void map(GoJsonWriter w, Map<String, String> map) {
    if (map == null) {
      w.ascii("null");
      return;
    }
    List<String> keys = new ArrayList<>(map.keySet());
    keys.sort(GoJsonWriter.KEY_ORDER);
    w.punct('{');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.name(keys.get(i)).string(map.get(keys.get(i)));
    }
    w.punct('}');
  }
}
