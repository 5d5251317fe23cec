package dev.cairn.image;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The container configuration of a v1 image (Docker 1.9's runconfig.Config), in Go's field order.
 * {@code null} stands for Go's nil: a nil list or map encodes as {@code null}, an empty one as
 * {@code []} or {@code {}}, and the difference is part of the hashed bytes.
 */
public record ContainerConfig(
    String hostname,
    String domainname,
    String user,
    boolean attachStdin,
    boolean attachStdout,
    boolean attachStderr,
    Set<String> exposedPorts,
    String publishService,
    boolean tty,
    boolean openStdin,
    boolean stdinOnce,
    List<String> env,
    List<String> cmd,
    String image,
    Set<String> volumes,
    String workingDir,
    List<String> entrypoint,
    boolean networkDisabled,
    String macAddress,
    List<String> onBuild,
    Map<String, String> labels,
    String stopSignal) {

  /** Go's zero value: empty strings, false, nil lists and maps. */
  public static final ContainerConfig EMPTY =
      new ContainerConfig(
          "", "", "", false, false, false, null, "", false, false, false, null, null, "", null, "",
          null, false, "", null, null, "");
}
