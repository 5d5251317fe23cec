package dev.cairn.serve;

import dev.cairn.json.GoJsonWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;

/** What a client asks before anything else: {@code _ping} and {@code version}. */
final class SystemRoutes implements Call.Routes {

  @Override
  public boolean answer(Call call) {
    if (call.path().equals("/_ping")
        && (call.method().equals("GET") || call.method().equals("HEAD"))) {
      ping(call);
    } else if (call.is("GET", "/version")) {
      call.json(200, version());
    } else {
      return false;
    }
    return true;
  }

  /** The answer to {@code /_ping}: the headers clients negotiate with, and {@code OK}. */
  private static void ping(Call call) {
    HttpFields.Mutable h = call.response().getHeaders();
    h.put("Api-Version", EngineApi.API_VERSION);
    h.put("Builder-Version", "1");
    h.put("Docker-Experimental", "false");
    h.put("Ostype", "linux");
    h.put("Swarm", "inactive");
    h.put("Cache-Control", "no-cache, no-store, must-revalidate");
    h.put("Pragma", "no-cache");
    h.put("Content-Type", "text/plain; charset=utf-8");
    call.response().setStatus(200);
    if (call.method().equals("GET")) {
      call.response()
          .write(true, ByteBuffer.wrap("OK".getBytes(StandardCharsets.US_ASCII)), call.callback());
    } else {
      h.put("Content-Length", "0");
      call.response().write(true, ByteBuffer.allocate(0), call.callback());
    }
  }

  private static byte[] version() {
    String arch = arch();
    String v = serverVersion();
    GoJsonWriter w = new GoJsonWriter();
    w.punct('{').name("Platform").punct('{').name("Name").string("cairn").punct('}').punct(',');
    w.name("Components").punct('[').punct('{').name("Name").string("Engine").punct(',');
    w.name("Version").string(v).punct(',');
    w.name("Details").punct('{').name("ApiVersion").string(EngineApi.API_VERSION).punct(',');
    w.name("Arch").string(arch).punct(',');
    w.name("MinAPIVersion").string(EngineApi.MIN_API_VERSION).punct(',');
    w.name("Os").string("linux").punct('}').punct('}').punct(']').punct(',');
    w.name("Version").string(v).punct(',');
    w.name("ApiVersion").string(EngineApi.API_VERSION).punct(',');
    w.name("MinAPIVersion").string(EngineApi.MIN_API_VERSION).punct(',');
    w.name("GitCommit").string("").punct(',');
    w.name("GoVersion").string("").punct(',');
    w.name("Os").string("linux").punct(',');
    w.name("Arch").string(arch).punct(',');
    w.name("KernelVersion").string(System.getProperty("os.version")).punct(',');
    w.name("BuildTime").string("").punct('}');
    return w.toByteArray();
  }

  /** cairn's version, as the server tells it in {@code version} and {@code info}. */
  static String serverVersion() {
    String cairn = EngineServer.class.getPackage().getImplementationVersion();
    return cairn == null ? "dev" : cairn;
  }

  /** This machine's architecture in Go's words. */
  static String arch() {
    return System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
  }
}
