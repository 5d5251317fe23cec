package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of {@code GET /v2/<name>/tags/list}; the next page's URL comes from the {@code Link}
 * header ({@code <...>; rel="next"}).
 */
record TagList(String repository, URI page) implements RegistryOperation<TagList.Page> {

  /** Tags of one page, and the next page's URL or null. */
  record Page(List<String> tags, URI next) {}

  static final int MAX_PAGE = 4 * 1024 * 1024;

  static URI first(URI base, String repository, int pageSize) {
    return base.resolve(
        "/v2/" + repository + "/tags/list" + (pageSize > 0 ? "?n=" + pageSize : ""));
  }

  @Override
  public URI uri(URI base) {
    return page;
  }

  @Override
  public List<String> accept() {
    return List.of("application/json");
  }

  @Override
  public String scope() {
    return RegistryOperation.pullScope(repository);
  }

  @Override
  public String describe() {
    return "listing tags of " + repository;
  }

  @Override
  public Page handle(HttpResponse<InputStream> response) throws IOException {
    byte[] body = response.body().readNBytes(MAX_PAGE + 1);
    if (body.length > MAX_PAGE) {
      throw CairnException.invalid("tag list page over 4 MiB");
    }
    Object json = JsonText.parse(body);
    List<String> tags = new ArrayList<>();
    Object list = JsonText.member(json, "tags", Object.class);
    if (list instanceof List<?> l) {
      for (Object t : l) {
        if (!(t instanceof String s)) {
          throw CairnException.invalid("tag list holds a non-string");
        }
        tags.add(s);
      }
    } else if (list != null && list != JsonText.NULL) {
      throw CairnException.invalid("tag list: tags is not a list");
    }
    URI next = null;
    for (String link : response.headers().allValues("Link")) {
      next = nextLink(page, link);
      if (next != null) {
        break;
      }
    }
    return new Page(List.copyOf(tags), next);
  }

  /** The {@code rel="next"} target of one Link header value (RFC 8288), resolved; else null. */
  static URI nextLink(URI current, String header) {
    for (String part : header.split(",(?=\\s*<)")) {
      String p = part.trim();
      int close = p.indexOf('>');
      if (!p.startsWith("<") || close < 0) {
        continue;
      }
      String target = p.substring(1, close);
      // RFC 8288: the parameters follow ";" after the target; text before it is no parameter
      String params = p.substring(close + 1).strip();
      if (!params.startsWith(";")) {
        continue;
      }
      for (String param : params.substring(1).split(";")) {
        String[] kv = param.trim().split("=", 2);
        if (kv.length == 2
            && kv[0].trim().equalsIgnoreCase("rel")
            && List.of(kv[1].trim().replace("\"", "").split(" ")).contains("next")) {
          try {
            return current.resolve(target);
          } catch (IllegalArgumentException e) {
            throw CairnException.invalid("tag list: malformed Link target");
          }
        }
      }
    }
    return null;
  }
}
