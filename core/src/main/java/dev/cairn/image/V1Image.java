package dev.cairn.image;

import dev.cairn.json.GoJsonWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The v1 image JSON schema as Docker 1.9 decoded it (image.Image), in Go's field order. Decoding
 * follows Go's encoding/json rules ({@link #decode}); {@link #encode} writes what Go's Marshal
 * wrote for it, which is the fallback input of imageConfig for images from old daemons.
 */
public record V1Image(
    String id,
    String parent,
    String comment,
    GoTime created,
    String container,
    ContainerConfig containerConfig,
    String dockerVersion,
    String author,
    ContainerConfig config,
    String architecture,
    String os,
    long size,
    String parentId,
    String layerId) {

  /**
   * Decodes a v1 image JSON document with Go's rules: keys match field names case-insensitively
   * (exact match first), the last duplicate wins (objects and maps merge into what an earlier
   * duplicate left, as Go decodes into existing values), unknown keys are ignored, and a value of
   * the wrong JSON type is an INVALID error naming the field.
   */
  public static V1Image decode(byte[] json) {
    return GoDecoder.decodeV1Image(json);
  }

  /** The bytes Go's json.Marshal writes for this image. */
  public byte[] encode() {
    GoJsonWriter w = new GoJsonWriter(1024);
    w.punct('{');
    Fields f = new Fields(w);
    f.stringOmitEmpty("id", id);
    f.stringOmitEmpty("parent", parent);
    f.stringOmitEmpty("comment", comment);
    f.name("created");
    w.punct('"').ascii(created.format()).punct('"');
    f.stringOmitEmpty("container", container);
    f.name("container_config");
    writeConfig(w, containerConfig);
    f.stringOmitEmpty("docker_version", dockerVersion);
    f.stringOmitEmpty("author", author);
    if (config != null) {
      f.name("config");
      writeConfig(w, config);
    }
    f.stringOmitEmpty("architecture", architecture);
    f.stringOmitEmpty("os", os);
    if (size != 0) {
      f.name("Size");
      w.number(size);
    }
    f.stringOmitEmpty("parent_id", parentId);
    f.stringOmitEmpty("layer_id", layerId);
    w.punct('}');
    return w.toByteArray();
  }

  private static void writeConfig(GoJsonWriter w, ContainerConfig c) {
    w.punct('{');
    Fields f = new Fields(w);
    f.string("Hostname", c.hostname());
    f.string("Domainname", c.domainname());
    f.string("User", c.user());
    f.bool("AttachStdin", c.attachStdin());
    f.bool("AttachStdout", c.attachStdout());
    f.bool("AttachStderr", c.attachStderr());
    if (c.exposedPorts() != null && !c.exposedPorts().isEmpty()) {
      f.name("ExposedPorts");
      writeSet(w, c.exposedPorts());
    }
    f.stringOmitEmpty("PublishService", c.publishService());
    f.bool("Tty", c.tty());
    f.bool("OpenStdin", c.openStdin());
    f.bool("StdinOnce", c.stdinOnce());
    f.name("Env");
    writeList(w, c.env());
    f.name("Cmd");
    writeList(w, c.cmd());
    f.string("Image", c.image());
    f.name("Volumes");
    writeSet(w, c.volumes());
    f.string("WorkingDir", c.workingDir());
    f.name("Entrypoint");
    writeList(w, c.entrypoint());
    if (c.networkDisabled()) {
      f.bool("NetworkDisabled", true);
    }
    f.stringOmitEmpty("MacAddress", c.macAddress());
    f.name("OnBuild");
    writeList(w, c.onBuild());
    f.name("Labels");
    writeMap(w, c.labels());
    f.stringOmitEmpty("StopSignal", c.stopSignal());
    w.punct('}');
  }

  private static void writeList(GoJsonWriter w, List<String> list) {
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

  private static void writeSet(GoJsonWriter w, Set<String> set) {
    if (set == null) {
      w.ascii("null");
      return;
    }
    List<String> keys = new ArrayList<>(set);
    keys.sort(GoJsonWriter.KEY_ORDER);
    w.punct('{');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      w.name(keys.get(i)).ascii("{}");
    }
    w.punct('}');
  }

  private static void writeMap(GoJsonWriter w, Map<String, String> map) {
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

  /** Writes the commas between struct fields. */
  private static final class Fields {
    private final GoJsonWriter w;
    private boolean first = true;

    Fields(GoJsonWriter w) {
      this.w = w;
    }

    void name(String name) {
      if (!first) {
        w.punct(',');
      }
      first = false;
      w.name(name);
    }

    void string(String name, String value) {
      name(name);
      w.string(value);
    }

    void stringOmitEmpty(String name, String value) {
      if (!value.isEmpty()) {
        string(name, value);
      }
    }

    void bool(String name, boolean value) {
      name(name);
      w.bool(value);
    }
  }
}
