package dev.cairn.image;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The container configuration of an image as Docker 20.10 reads it (api/types/container.Config), in
 * Go's field order: the {@code Config} and {@code ContainerConfig} that {@code docker inspect}
 * shows, every field present whatever the image's JSON held. {@code null} stands for Go's nil,
 * which docker writes as {@code null} (or leaves out, for the fields it omits when empty).
 *
 * @param healthcheck the health check, or null for none
 * @param stopTimeout seconds to wait for a stop, or null when unset
 */
public record EngineConfig(
    String hostname,
    String domainname,
    String user,
    boolean attachStdin,
    boolean attachStdout,
    boolean attachStderr,
    Set<String> exposedPorts,
    boolean tty,
    boolean openStdin,
    boolean stdinOnce,
    List<String> env,
    List<String> cmd,
    Health healthcheck,
    boolean argsEscaped,
    String image,
    Set<String> volumes,
    String workingDir,
    List<String> entrypoint,
    boolean networkDisabled,
    String macAddress,
    List<String> onBuild,
    Map<String, String> labels,
    String stopSignal,
    Long stopTimeout,
    List<String> shell) {

  /** Go's zero value: empty strings, false, nil lists, maps and pointers. */
  public static final EngineConfig EMPTY =
      new EngineConfig(
          "", "", "", false, false, false, null, false, false, false, null, null, null, false, "",
          null, "", null, false, "", null, null, "", null, null);

  /**
   * A health check (container.HealthConfig); durations are nanoseconds, zero meaning "inherit".
   *
   * @param test the check's command, or null
   */
  public record Health(
      List<String> test, long interval, long timeout, long startPeriod, long retries) {}
}
