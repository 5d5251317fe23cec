package dev.cairn.image;

import dev.cairn.json.GoJsonWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Go's encoding of Docker 20.10's structs: container.Config as {@code docker inspect} shows it, and
 * image.V1Image, which Docker re-encodes a schema1 image's top v1Compatibility through when it
 * comes from a daemon older than 1.8.3 ({@link Schema1Config}).
 */
public final class EngineEncoder {
  private EngineEncoder() {}

  /** docker's container config (container.Config): every field but those Go omits when empty. */
  public static void config(GoJsonWriter w, EngineConfig c) {
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

  /**
   * image.V1Image as Go's Marshal writes it, less {@code id}, {@code parent} and {@code Size},
   * which the conversion drops anyway.
   */
  static byte[] v1Image(EngineImage img) {
    GoJsonWriter w = new GoJsonWriter(1024);
    w.punct('{');
    if (!img.comment().isEmpty()) {
      w.name("comment").string(img.comment()).punct(',');
    }
    w.name("created").string(img.created().format()).punct(',');
    if (!img.container().isEmpty()) {
      w.name("container").string(img.container()).punct(',');
    }
    w.name("container_config");
    config(w, img.containerConfig());
    stringOmitEmpty(w, "docker_version", img.dockerVersion());
    stringOmitEmpty(w, "author", img.author());
    if (img.config() != null) {
      w.punct(',').name("config");
      config(w, img.config());
    }
    stringOmitEmpty(w, "architecture", img.architecture());
    stringOmitEmpty(w, "variant", img.variant());
    stringOmitEmpty(w, "os", img.os());
    return w.punct('}').toByteArray();
  }

  private static void stringOmitEmpty(GoJsonWriter w, String name, String value) {
    if (!value.isEmpty()) {
      w.punct(',').name(name).string(value);
    }
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

  /** A Go {@code map[string]string}: keys sorted, {@code null} for a nil map. */
  public static void map(GoJsonWriter w, Map<String, String> map) {
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
