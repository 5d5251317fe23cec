package dev.cairn.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.serve.DockerCli.Run;
import dev.cairn.store.Store;
import dev.cairn.store.StoreOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code cairn serve} over TCP with TLS, as dockerd with {@code --tlsverify}: certificates made by
 * openssl as docker's documentation makes them, driven by the docker CLI and openssl's client.
 */
class EngineServerTlsTest {
  @TempDir static Path temp;
  static Path certs;
  static Store store;
  static EngineServer server;
  static String host;

  // the CA, the server's certificate and key, the client's, and a client of another CA
  static Path ca;
  static Path caKey;
  static Path serverCert;
  static Path serverKey;
  static Path clientCert;
  static Path clientKey;
  static Path strangerCert;
  static Path strangerKey;

  @BeforeAll
  static void start() throws Exception {
    certs = Files.createDirectories(temp.resolve("certs"));
    ca = certs.resolve("ca.pem");
    caKey = certs.resolve("ca-key.pem");
    authority(ca, caKey, "cairn test CA");
    serverKey = key("server-key.pem", "rsa-pkcs8");
    serverCert = issue("server-cert.pem", serverKey, ca, caKey, true);
    clientKey = key("key.pem", "rsa-pkcs8");
    clientCert = issue("cert.pem", clientKey, ca, caKey, false);
    Path otherCa = certs.resolve("other-ca.pem");
    Path otherCaKey = certs.resolve("other-ca-key.pem");
    authority(otherCa, otherCaKey, "another CA");
    strangerKey = key("stranger-key.pem", "rsa-pkcs8");
    strangerCert = issue("stranger-cert.pem", strangerKey, otherCa, otherCaKey, false);

    store = Store.open(temp.resolve("store"), StoreOptions.defaults().withDriver("vfs"));
    server =
        EngineServer.start(
            store, List.of("tcp://127.0.0.1:0"), new EngineServer.Tls(serverCert, serverKey, ca));
    host = server.hosts().getFirst();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  static Run run(List<String> cmd) throws Exception {
    // a config directory of its own, empty: docker's --tls would take certificates found there
    return DockerCli.run(temp.resolve("docker-config"), cmd);
  }

  static Run openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Run r = run(cmd);
    assertThat(r.exit()).as("openssl %s: %s", String.join(" ", args), r.err()).isZero();
    return r;
  }

  /** A self-signed CA certificate and its key. */
  static void authority(Path cert, Path key, String name) throws Exception {
    openssl(
        "req",
        "-x509",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + name,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        key.toString(),
        "-out",
        cert.toString());
  }

  /**
   * A private key in one of the forms openssl writes: PKCS#8 (its default), PKCS#1 ({@code
   * -traditional}), SEC1 with its parameters block ({@code ecparam -genkey}).
   */
  static Path key(String name, String form) throws Exception {
    Path key = certs.resolve(name);
    switch (form) {
      case "rsa-pkcs8" -> openssl("genrsa", "-out", key.toString(), "2048");
      case "rsa-pkcs1" -> openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
      case "ec-sec1" ->
          openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
      case "ec-pkcs8" ->
          openssl(
              "genpkey",
              "-algorithm",
              "EC",
              "-pkeyopt",
              "ec_paramgen_curve:P-256",
              "-out",
              key.toString());
      default -> throw new IllegalArgumentException(form);
    }
    return key;
  }

  /**
   * A certificate for {@code key} signed by the CA, as docker's "Protect the Docker daemon socket"
   * makes them: a server's names 127.0.0.1 and localhost, a client's is for client auth.
   */
  static Path issue(String name, Path key, Path caCert, Path caKey, boolean server)
      throws Exception {
    Path csr = certs.resolve(name + ".csr");
    Path ext = certs.resolve(name + ".ext");
    Path cert = certs.resolve(name);
    openssl(
        "req",
        "-new",
        "-key",
        key.toString(),
        "-subj",
        "/CN=" + (server ? "localhost" : "client"),
        "-out",
        csr.toString());
    Files.writeString(
        ext,
        server
            ? "subjectAltName = DNS:localhost,IP:127.0.0.1\nextendedKeyUsage = serverAuth\n"
            : "extendedKeyUsage = clientAuth\n");
    openssl(
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        csr.toString(),
        "-CA",
        caCert.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-extfile",
        ext.toString(),
        "-out",
        cert.toString());
    return cert;
  }

  /** The docker CLI against {@code host} with {@code tls} options before {@code args}. */
  static Run docker(String host, List<String> tls, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker", "-H", host));
    cmd.addAll(tls);
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  static List<String> verified(Path cert, Path key) {
    return List.of(
        "--tlsverify",
        "--tlscacert",
        ca.toString(),
        "--tlscert",
        cert.toString(),
        "--tlskey",
        key.toString());
  }

  @Test
  void theCliWithItsCertificateDrivesTheServer() throws Exception {
    Run version =
        docker(
            host,
            verified(clientCert, clientKey),
            "version",
            "--format",
            "{{.Server.APIVersion}} {{.Server.Platform.Name}}");
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).isEqualTo("1.47 cairn\n");

    Run images = docker(host, verified(clientCert, clientKey), "images");
    assertThat(images.exit()).as(images.err()).isZero();
    assertThat(images.out()).startsWith("REPOSITORY");
  }

  @Test
  void aClientWithoutACertificateIsRefused() throws Exception {
    // docker 28's --tls needs a CA file (its own directory's when not given), not a certificate
    Run r =
        docker(
            host,
            List.of("--tls", "--tlscacert", ca.toString()),
            "version",
            "--format",
            "{{.Server.Version}}");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isBlank();
    assertThat(r.err()).contains("remote error: tls: certificate required");
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefused() throws Exception {
    // the docker CLI (Go) offers only a certificate of a CA the server names: here none
    Run cli =
        docker(
            host,
            verified(strangerCert, strangerKey),
            "version",
            "--format",
            "{{.Server.Version}}");
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.out()).isBlank();
    assertThat(cli.err()).contains("remote error: tls: certificate required");

    // openssl's client sends it all the same; TLS 1.2, where the server judges it in the handshake
    Run r = sClient("-tls1_2", "-cert", strangerCert.toString(), "-key", strangerKey.toString());
    assertThat(r.exit()).as("ERR").isNotZero();
    assertThat(r.err()).contains("alert certificate unknown");
  }

  /** openssl's client to the server, trusting the CA, with {@code args}; nothing on its input. */
  static Run sClient(String... args) throws Exception {
    int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-brief",
                "-CAfile",
                ca.toString()));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  @Test
  void plainHttpToTheTlsPortGetsNoHttpAnswer() throws Exception {
    Run cli = docker(host, List.of(), "version", "--format", "{{.Server.Version}}");
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.out()).isBlank();
    assertThat(cli.err())
        .contains("Are you trying to connect to a TLS-enabled daemon without TLS?");

    int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(
          "GET /_ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] answer;
      try {
        answer = in.readAllBytes();
      } catch (IOException reset) {
        answer = new byte[0];
      }
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/");
    }
  }

  @Test
  void onlyTls12AndNewerAreSpoken() throws Exception {
    String cert = clientCert.toString();
    String key = clientKey.toString();
    for (String version : List.of("1_2", "1_3")) {
      Run r = sClient("-tls" + version, "-cert", cert, "-key", key);
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.err()).contains("Protocol version: TLSv" + version.replace('_', '.'));
    }
    // openssl's client speaks these when its security level allows them
    for (String version : List.of("-tls1", "-tls1_1")) {
      Run r = sClient(version, "-cipher", "DEFAULT@SECLEVEL=0", "-cert", cert, "-key", key);
      assertThat(r.exit()).as(version).isNotZero();
      assertThat(r.err()).as(version).contains("alert protocol version");
    }
  }

  @Test
  void withTlsEveryAddressMayBeBound() throws Exception {
    try (EngineServer any =
        EngineServer.start(
            store, List.of("tcp://0.0.0.0:0"), new EngineServer.Tls(serverCert, serverKey, ca))) {
      String bound = any.hosts().getFirst();
      assertThat(bound).startsWith("tcp://0.0.0.0:");
      Run r =
          docker(
              "tcp://127.0.0.1:" + bound.substring(bound.lastIndexOf(':') + 1),
              verified(clientCert, clientKey),
              "version",
              "--format",
              "{{.Server.Platform.Name}}");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo("cairn\n");
    }
  }

  @Test
  void withoutTlsAnAddressOffLoopbackIsStillRefused() {
    assertThatThrownBy(
            () -> EngineServer.start(store, List.of("tcp://0.0.0.0:0"), (EngineServer.Tls) null))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("without TLS only a loopback address is safe");
  }

  static List<Arguments> keyForms() {
    return List.of(
        Arguments.of("rsa-pkcs1", "BEGIN RSA PRIVATE KEY"),
        Arguments.of("ec-sec1", "BEGIN EC PRIVATE KEY"),
        Arguments.of("ec-pkcs8", "BEGIN PRIVATE KEY"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyForms")
  void aServerKeyServesInEachFormOpensslWrites(String form, String begin) throws Exception {
    Path key = key("server-" + form + "-key.pem", form);
    assertThat(Files.readString(key)).contains(begin);
    Path cert = issue("server-" + form + "-cert.pem", key, ca, caKey, true);
    try (EngineServer s =
        EngineServer.start(
            store, List.of("tcp://127.0.0.1:0"), new EngineServer.Tls(cert, key, ca))) {
      Run r =
          docker(
              s.hosts().getFirst(),
              verified(clientCert, clientKey),
              "version",
              "--format",
              "{{.Server.Platform.Name}}");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo("cairn\n");
    }
  }

  /** A bad file: what the key, certificate or CA file is given, and what the error must say. */
  record BadFile(String name, Function<Path, EngineServer.Tls> tls, String content, String says) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<BadFile> badFiles() {
    return List.of(
        new BadFile(
            "a key file holding a certificate",
            f -> new EngineServer.Tls(serverCert, f, ca),
            "CERT",
            "TLS key FILE: no private key (found CERTIFICATE; expected PRIVATE KEY, RSA PRIVATE"
                + " KEY or EC PRIVATE KEY)"),
        new BadFile(
            "a key file that is not PEM",
            f -> new EngineServer.Tls(serverCert, f, ca),
            "not a key\n",
            "TLS key FILE: not PEM (no \"-----BEGIN ...-----\" block)"),
        new BadFile(
            "a key block that is no key",
            f -> new EngineServer.Tls(serverCert, f, ca),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "TLS key FILE: PRIVATE KEY is not a valid RSA private key"),
        new BadFile(
            "the key of another certificate",
            f -> new EngineServer.Tls(serverCert, f, ca),
            "CLIENT KEY",
            "TLS key FILE: not the key of the certificate in SERVER CERT"),
        new BadFile(
            "an encrypted key",
            f -> new EngineServer.Tls(serverCert, f, ca),
            "ENCRYPTED",
            "TLS key FILE: the key is encrypted, and cairn reads only unencrypted keys (decrypt it"
                + " with: openssl pkey -in FILE -out key.pem)"),
        new BadFile(
            "a key encrypted as openssl once wrote them",
            f -> new EngineServer.Tls(serverCert, f, ca),
            "LEGACY ENCRYPTED",
            "TLS key FILE: the key is encrypted"),
        new BadFile(
            "a certificate file holding a key",
            f -> new EngineServer.Tls(f, serverKey, ca),
            "SERVER KEY",
            "TLS certificate FILE: a PRIVATE KEY block where only certificates belong"),
        new BadFile(
            "a damaged CA certificate",
            f -> new EngineServer.Tls(serverCert, serverKey, f),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "TLS CA FILE: certificate 1 is damaged"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void aBadFileIsAnErrorNamingTheFileAndWhatIsWrong(BadFile bad) throws Exception {
    Path file = temp.resolve("bad-" + bad.name().replace(' ', '-') + ".pem");
    switch (bad.content()) {
      case "CERT" -> Files.copy(serverCert, file);
      case "CLIENT KEY" -> Files.copy(clientKey, file);
      case "SERVER KEY" -> Files.copy(serverKey, file);
      case "ENCRYPTED" ->
          openssl(
              "pkey",
              "-in",
              serverKey.toString(),
              "-aes256",
              "-passout",
              "pass:secret",
              "-out",
              file.toString());
      case "LEGACY ENCRYPTED" ->
          openssl(
              "rsa",
              "-in",
              serverKey.toString(),
              "-traditional",
              "-aes256",
              "-passout",
              "pass:secret",
              "-out",
              file.toString());
      default -> Files.writeString(file, bad.content());
    }
    String expected =
        bad.says().replace("SERVER CERT", serverCert.toString()).replace("FILE", file.toString());
    assertThatThrownBy(
            () -> EngineServer.start(store, List.of("tcp://127.0.0.1:0"), bad.tls().apply(file)))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith(expected);
  }
}
