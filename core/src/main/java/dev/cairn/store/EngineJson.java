package dev.cairn.store;

import dev.cairn.digest.Digest;
import dev.cairn.image.EngineConfig;
import dev.cairn.image.EngineEncoder;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
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

  /** One {@link ImageInspect}, as {@code GET /images/{name}/json} gives it. */
  public static byte[] inspect(ImageInspect image) {
    GoJsonWriter w = new GoJsonWriter();
    inspect(w, image);
    return w.toByteArray();
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
    EngineEncoder.config(w, img.containerConfig());
    w.punct(',').name("DockerVersion").string(img.dockerVersion()).punct(',');
    w.name("Author").string(img.author()).punct(',');
    w.name("Config");
    EngineEncoder.config(w, img.config());
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
    EngineEncoder.config(w, c);
    return w.toByteArray();
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
   * Go's json.Indent, as docker's command line lays out what the engine sent: one member or element
   * per line, {@code indent} per level.
   */
  public static byte[] indent(byte[] json, String indent) {
    return GoJsonWriter.indent(json, indent);
  }

  /**
   * {@code GET /images/json}: an array of image summaries as dockerd 20.10 writes them (Created in
   * Unix seconds, no containers known, tags and digests in their familiar form).
   */
  public static byte[] summaries(List<ImageSummary> images) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('[');
    for (int i = 0; i < images.size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      summary(w, images.get(i), -1, -1);
    }
    return w.punct(']').toByteArray();
  }

  // sharedSize and containers -1: not counted, as the listing leaves them
  private static void summary(GoJsonWriter w, ImageSummary s, long sharedSize, long containers) {
    w.punct('{').name("Containers").number(containers).punct(',');
    w.name("Created").number(s.created().getEpochSecond()).punct(',');
    w.name("Id").string(s.id().toString()).punct(',');
    w.name("Labels");
    // no labels are a nil map to dockerd's summary
    EngineEncoder.map(w, s.labels() == null || s.labels().isEmpty() ? null : s.labels());
    w.punct(',').name("ParentId").string(digest(s.parent())).punct(',');
    w.name("RepoDigests");
    references(w, s.repoDigests());
    w.punct(',').name("RepoTags");
    references(w, s.repoTags());
    w.punct(',').name("SharedSize").number(sharedSize).punct(',');
    w.name("Size").number(s.size()).punct(',');
    w.name("VirtualSize").number(s.size()).punct('}');
  }

  /**
   * {@code GET /system/df}: the images part as dockerd counts it ({@link DiskUsage}: every layer
   * once in LayersSize, each image with its shared size and, for containers, its mounts); no
   * containers, volumes or build cache, which cairn does not keep.
   */
  public static byte[] diskUsage(DiskUsage usage) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("LayersSize").number(usage.totalSize()).punct(',');
    w.name("Images").punct('[');
    for (int i = 0; i < usage.images().size(); i++) {
      if (i > 0) {
        w.punct(',');
      }
      ImageUsage u = usage.images().get(i);
      summary(w, u.image(), u.sharedSize(), u.mounts());
    }
    w.punct(']').punct(',');
    w.name("Containers").ascii("[]").punct(',');
    w.name("Volumes").ascii("[]").punct(',');
    w.name("BuildCache").ascii("[]").punct(',');
    w.name("BuilderSize").number(0).punct('}');
    return w.toByteArray();
  }

  /**
   * {@code GET /info}: the store and the machine in dockerd's fields and order, an engine with no
   * containers, plugins, runtimes or swarm. {@code serverVersion} is the server's own version and
   * {@code now} its SystemTime.
   */
  public static byte[] info(EngineInfo info, String serverVersion, java.time.Instant now) {
    EngineInfo.Machine m = info.machine();
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("ID").string(info.id()).punct(',');
    for (String count :
        List.of("Containers", "ContainersRunning", "ContainersPaused", "ContainersStopped")) {
      w.name(count).number(0).punct(',');
    }
    w.name("Images").number(info.images()).punct(',');
    w.name("Driver").string(info.driver()).punct(',');
    w.name("DriverStatus").punct('[');
    for (int i = 0; i < info.driverStatus().size(); i++) {
      Map.Entry<String, String> e = info.driverStatus().get(i);
      if (i > 0) {
        w.punct(',');
      }
      w.punct('[').string(e.getKey()).punct(',').string(e.getValue()).punct(']');
    }
    w.punct(']').punct(',');
    w.name("Plugins").punct('{').name("Volume").ascii("[]").punct(',');
    w.name("Network").ascii("[]").punct(',').name("Authorization").ascii("null").punct(',');
    w.name("Log").ascii("[]").punct('}').punct(',');
    for (String absent :
        List.of(
            "MemoryLimit",
            "SwapLimit",
            "CpuCfsPeriod",
            "CpuCfsQuota",
            "CPUShares",
            "CPUSet",
            "PidsLimit",
            "IPv4Forwarding",
            "BridgeNfIptables",
            "BridgeNfIp6tables",
            "Debug")) {
      w.name(absent).ascii("false").punct(',');
    }
    w.name("NFd").number(0).punct(',').name("OomKillDisable").ascii("false").punct(',');
    w.name("NGoroutines").number(0).punct(',');
    w.name("SystemTime").string(now.toString()).punct(',');
    w.name("LoggingDriver").string("").punct(',').name("CgroupDriver").string("").punct(',');
    w.name("NEventsListener").number(0).punct(',');
    w.name("KernelVersion").string(m.kernelVersion()).punct(',');
    w.name("OperatingSystem").string(m.operatingSystem()).punct(',');
    w.name("OSVersion").string(m.osVersion()).punct(',');
    w.name("OSType").string("linux").punct(',');
    w.name("Architecture").string(m.architecture()).punct(',');
    w.name("IndexServerAddress").string("https://index.docker.io/v1/").punct(',');
    registryConfig(w, info.insecureRegistries());
    w.punct(',').name("NCPU").number(m.cpus()).punct(',');
    w.name("MemTotal").number(m.memory()).punct(',');
    w.name("GenericResources").ascii("null").punct(',');
    w.name("DockerRootDir").string(info.root().toString()).punct(',');
    w.name("HttpProxy").string("").punct(',').name("HttpsProxy").string("").punct(',');
    w.name("NoProxy").string("").punct(',');
    w.name("Name").string(m.hostname()).punct(',');
    w.name("Labels").ascii("[]").punct(',');
    w.name("ExperimentalBuild").ascii("false").punct(',');
    w.name("ServerVersion").string(serverVersion).punct(',');
    w.name("Runtimes").ascii("{}").punct(',').name("DefaultRuntime").string("").punct(',');
    w.name("Swarm").punct('{').name("NodeID").string("").punct(',');
    w.name("NodeAddr").string("").punct(',').name("LocalNodeState").string("inactive");
    w.punct(',').name("ControlAvailable").ascii("false").punct(',');
    w.name("Error").string("").punct(',').name("RemoteManagers").ascii("null").punct('}');
    w.punct(',').name("LiveRestoreEnabled").ascii("false").punct(',');
    w.name("Isolation").string("").punct(',').name("InitBinary").string("").punct(',');
    for (String commit : List.of("ContainerdCommit", "RuncCommit", "InitCommit")) {
      w.name(commit).punct('{').name("ID").string("").punct(',');
      w.name("Expected").string("").punct('}').punct(',');
    }
    w.name("SecurityOptions").ascii("[]").punct(',');
    w.name("Warnings").ascii("null").punct('}');
    return w.toByteArray();
  }

  // loopback is always plain HTTP to cairn, as to dockerd; other hosts as the options say
  private static void registryConfig(GoJsonWriter w, List<String> insecure) {
    w.name("RegistryConfig").punct('{');
    w.name("AllowNondistributableArtifactsCIDRs").ascii("[]").punct(',');
    w.name("AllowNondistributableArtifactsHostnames").ascii("[]").punct(',');
    w.name("InsecureRegistryCIDRs").punct('[').string("127.0.0.0/8").punct(']').punct(',');
    w.name("IndexConfigs").punct('{');
    for (String host : insecure) {
      w.name(host).punct('{').name("Name").string(host).punct(',');
      w.name("Mirrors").ascii("[]").punct(',').name("Secure").ascii("false").punct(',');
      w.name("Official").ascii("false").punct('}').punct(',');
    }
    w.name("docker.io").punct('{').name("Name").string("docker.io").punct(',');
    w.name("Mirrors").ascii("[]").punct(',').name("Secure").ascii("true").punct(',');
    w.name("Official").ascii("true").punct('}').punct('}').punct(',');
    w.name("Mirrors").ascii("[]").punct('}');
  }

  /**
   * {@code GET /images/{name}/history}: newest step first; a step that is no image has the ID
   * {@code <missing>}, a step without tags {@code null}.
   */
  public static byte[] history(List<HistoryEntry> steps) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('[');
    for (int i = 0; i < steps.size(); i++) {
      HistoryEntry h = steps.get(i);
      if (i > 0) {
        w.punct(',');
      }
      w.punct('{').name("Comment").string(h.comment()).punct(',');
      w.name("Created").number(h.created().getEpochSecond()).punct(',');
      w.name("CreatedBy").string(h.createdBy()).punct(',');
      w.name("Id").string(h.id() == null ? "<missing>" : h.id().toString()).punct(',');
      w.name("Size").number(h.size()).punct(',');
      w.name("Tags");
      if (h.tags().isEmpty()) {
        w.ascii("null");
      } else {
        references(w, h.tags());
      }
      w.punct('}');
    }
    return w.punct(']').toByteArray();
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
}
