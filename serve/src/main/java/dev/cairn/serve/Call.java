package dev.cairn.serve;

import dev.cairn.CairnException;
import dev.cairn.image.Reference;
import dev.cairn.json.GoJsonWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One request to the API, its path without the version prefix, and the ways dockerd answers: JSON
 * ended by a newline, errors as {@code {"message":…}}, nothing, or a stream.
 */
record Call(
    Request request,
    String method,
    String path,
    Fields query,
    Response response,
    Callback callback) {

  /** Exactly this: with a charset the docker CLI prints error bodies and streams raw. */
  static final String JSON = "application/json";

  boolean is(String method, String path) {
    return this.method.equals(method) && this.path.equals(path);
  }

  /**
   * The image name of {@code /images/{name}/suffix} when this call is {@code method} on such a
   * path, else null. The name is everything between, slashes included, as dockerd matches it.
   */
  String image(String method, String suffix) {
    if (!this.method.equals(method)
        || !path.startsWith("/images/")
        || !path.endsWith(suffix)
        || path.length() <= "/images/".length() + suffix.length()) {
      return null;
    }
    return path.substring("/images/".length(), path.length() - suffix.length());
  }

  String param(String name) {
    return query.getValue(name);
  }

  /** A boolean query parameter as dockerd reads one: {@code 1} or {@code true}. */
  boolean flag(String name) {
    String v = query.getValue(name);
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  /** An answer of JSON, ended by a newline as Go's json.Encoder ends every value. */
  void json(int status, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put("Content-Type", JSON);
    byte[] line = Arrays.copyOf(body, body.length + 1);
    line[body.length] = '\n';
    response.write(true, ByteBuffer.wrap(line), callback);
  }

  void error(int status, String message) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("message").string(message).punct('}');
    json(status, w.toByteArray());
  }

  /** An answer with a status and no body. */
  void empty(int status) {
    response.setStatus(status);
    response.write(true, ByteBuffer.allocate(0), callback);
  }

  /** One message of dockerd's stream that the client prints as it is: a line of text. */
  static String stream(String text) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("stream").string(text + "\n").punct('}');
    return new String(w.toByteArray(), StandardCharsets.UTF_8) + "\r\n";
  }

  /**
   * A view of one image. A name that is no reference is refused (400) before the store is asked, as
   * dockerd parses every name first; one the store lacks is dockerd's {@code No such image: NAME},
   * NAME as dockerd parsed it ({@link #parsedName}).
   */
  static <T> T image(String name, View<T> view) throws IOException {
    return lookUp(name, parsedName(name), view);
  }

  /** As {@link #image(String, View)}, a missing image named {@code missing} in the message. */
  static <T> T image(String name, String missing, View<T> view) throws IOException {
    parsedName(name);
    return lookUp(name, missing, view);
  }

  private static <T> T lookUp(String name, String missing, View<T> view) throws IOException {
    try {
      return view.of(name);
    } catch (CairnException e) {
      if (e.kind() == CairnException.Kind.NOT_FOUND) {
        throw CairnException.notFound("No such image: " + missing);
      }
      throw e;
    }
  }

  private static final Pattern ID = Pattern.compile("(sha256:)?[0-9a-f]{64}");

  /**
   * An image name as dockerd reads it: a full ID as {@code sha256:HEX}, anything else as a
   * reference in its familiar form with the default tag when it has none ({@code nosuch} is {@code
   * nosuch:latest}, a short ID {@code 0123abcd} is {@code 0123abcd:latest}). A name that is neither
   * is the client's error.
   */
  static String parsedName(String name) {
    if (ID.matcher(name).matches()) {
      return name.startsWith("sha256:") ? name : "sha256:" + name;
    }
    return Reference.parse(name).familiar();
  }

  @FunctionalInterface
  interface View<T> {
    T of(String name) throws IOException;
  }

  /** One group of the API's endpoints. */
  @FunctionalInterface
  interface Routes {
    /** Answers {@code call} when it is one of the group's, else returns false and leaves it. */
    boolean answer(Call call) throws IOException;
  }
}
