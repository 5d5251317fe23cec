package dev.cairn.image;

import dev.cairn.json.GoJsonWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * libtrust's pretty JSON web signature written, the other half of {@link PrettyJws}: the protected
 * header that records where the document was cut ({@link PrettyJws.Format}), what is signed, the
 * signature blocks, and the document with its {@code signatures} member.
 */
final class PrettySignature {
  private PrettySignature() {}

  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  /**
   * The protected header of a signature made at {@code time}, base64url: the format and the time
   * (RFC 3339, whole seconds, UTC), a Go map's members in order.
   */
  static String protectedHeader(PrettyJws.Format format, Instant time) {
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("formatLength").number(format.length()).punct(',');
    w.name("formatTail").string(JwsKeys.base64Url(format.tail())).punct(',');
    w.name("time").string(RFC3339.format(time.truncatedTo(ChronoUnit.SECONDS))).punct('}');
    return JwsKeys.base64Url(w.toByteArray());
  }

  /** What is signed: the protected header and the payload, base64url, joined by a dot. */
  static byte[] signingInput(String protectedHeader, byte[] payload) {
    return (protectedHeader + "." + JwsKeys.base64Url(payload)).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * One signature block in libtrust's member order: {@code header} (compact JSON of its {@code jwk}
   * or {@code x5c} and {@code alg}), {@code signature}, {@code protected}.
   */
  static String block(String header, byte[] signature, String protectedHeader) {
    return "{\"header\":"
        + header
        + ",\"signature\":\""
        + JwsKeys.base64Url(signature)
        + "\",\"protected\":\""
        + protectedHeader
        + "\"}";
  }

  /**
   * libtrust's PrettySignature: {@code document} up to {@code formatLength}, then a {@code
   * signatures} member holding {@code blocks} and the closing brace, laid out as the document is:
   * indented by the whitespace before its first key when it starts with a brace and a newline, else
   * compact.
   */
  static byte[] pretty(byte[] document, int formatLength, List<String> blocks) {
    String indent = "";
    if (document.length > 2 && document[0] == '{' && document[1] == '\n') {
      int quote = indexOf(document, (byte) '"', 1);
      if (quote > 1) {
        indent = new String(document, 2, quote - 2, StandardCharsets.UTF_8);
      }
    }
    String signatures = "[" + String.join(",", blocks) + "]";
    String head = new String(document, 0, formatLength, StandardCharsets.UTF_8);
    String out;
    if (indent.isEmpty()) {
      out = head + ",\"signatures\":" + signatures + "}";
    } else {
      // MarshalIndent with the indent as prefix too: every line after the first starts with it.
      String laid =
          new String(
                  GoJsonWriter.indent(signatures.getBytes(StandardCharsets.UTF_8), indent),
                  StandardCharsets.UTF_8)
              .replace("\n", "\n" + indent);
      out = head + ",\n" + indent + "\"signatures\": " + laid + "\n}";
    }
    return out.getBytes(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] b, byte c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
