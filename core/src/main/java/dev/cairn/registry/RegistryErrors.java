package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns a registry's failure answer into a sentence, from the distribution API's error body. */
final class RegistryErrors {
  /** Error and token bodies are small; more is not read. */
  static final int MAX_ERROR_BODY = 64 * 1024;

  private RegistryErrors() {}

  /** The failure for a non-2xx answer; the body is read (capped) and closed. */
  static CairnException of(HttpResponse<InputStream> response, String what) throws IOException {
    int status = response.statusCode();
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(MAX_ERROR_BODY);
    }
    return new CairnException(kindOf(status), what + ": " + describe(status, body));
  }

  static CairnException.Kind kindOf(int status) {
    return switch (status) {
      case 401, 403 -> CairnException.Kind.UNAUTHORIZED;
      case 404 -> CairnException.Kind.NOT_FOUND;
      case 408, 429 -> CairnException.Kind.UNAVAILABLE;
      default -> status >= 500 ? CairnException.Kind.UNAVAILABLE : CairnException.Kind.INVALID;
    };
  }

  /** "MANIFEST_UNKNOWN: manifest unknown" from the JSON errors, else "HTTP 502 Bad Gateway". */
  static String describe(int status, byte[] body) {
    List<String> parts = new ArrayList<>();
    try {
      List<?> errors = JsonText.member(JsonText.parse(body), "errors", List.class);
      if (errors != null) {
        for (Object e : errors) {
          String code = JsonText.member(e, "code", String.class);
          String message = JsonText.member(e, "message", String.class);
          if (code != null || message != null) {
            parts.add(
                printable(code == null ? "ERROR" : code)
                    + (message == null ? "" : ": " + printable(message)));
          }
        }
      }
    } catch (CairnException notJson) {
      // a proxy's HTML page or an empty body: fall back to the status line
    }
    if (parts.isEmpty()) {
      return "HTTP " + status + statusText(status);
    }
    return String.join("; ", parts);
  }

  private static String statusText(int status) {
    String text =
        Map.of(
                400, "Bad Request",
                401, "Unauthorized",
                403, "Forbidden",
                404, "Not Found",
                408, "Request Timeout",
                429, "Too Many Requests",
                500, "Internal Server Error",
                502, "Bad Gateway",
                503, "Service Unavailable",
                504, "Gateway Timeout")
            .get(status);
    return text == null ? "" : " " + text;
  }

  /** One line, bounded, whatever the server sent. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    int limit = Math.min(s.length(), 200);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return s.length() > limit ? b.append('…').toString() : b.toString();
  }
}
