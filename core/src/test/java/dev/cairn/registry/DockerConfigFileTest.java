package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The docker CLI's config.json as a login edits it: what is there is kept, only {@code auths}
 * changes; the file is written as docker's configfile package writes it (json.MarshalIndent with a
 * tab, mode 0600) and read as docker reads it (credHelpers before credsStore).
 */
class DockerConfigFileTest {
  @TempDir Path dir;

  private DockerConfigFile read(String json) throws Exception {
    return DockerConfigFile.read(Files.writeString(dir.resolve("config.json"), json));
  }

  @Test
  void aMissingOrEmptyFileIsAnEmptyConfig() throws Exception {
    DockerConfigFile missing = DockerConfigFile.read(dir.resolve("none.json"));
    assertThat(missing.path()).isEqualTo(dir.resolve("none.json"));
    assertThat(missing.helperFor("r.example")).isNull();
    assertThat(read("").helperFor("r.example")).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {"an array | []", "a string | \"x\"", "broken JSON | {\"a\":"})
  void aFileThatIsNoObjectIsRefusedNamingIt(String name, String json) throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), json);
    assertThatThrownBy(() -> DockerConfigFile.read(file))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith(file.toString());
  }

  @Test
  void aFileOverFourMebibytesIsRefused() throws Exception {
    Path file = dir.resolve("config.json");
    Files.write(file, ("{" + " ".repeat(4 * 1024 * 1024) + "}").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> DockerConfigFile.read(file))
        .isInstanceOf(CairnException.class)
        .hasMessage(file + ": larger than 4 MiB");
  }

  @Test
  void aFileOfExactlyFourMebibytesIsRead() throws Exception {
    Path file = dir.resolve("config.json");
    Files.write(
        file, ("{" + " ".repeat(4 * 1024 * 1024 - 2) + "}").getBytes(StandardCharsets.UTF_8));
    assertThat(Files.size(file)).isEqualTo(4 * 1024 * 1024);
    assertThat(DockerConfigFile.read(file).holds("r", "", "")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a helper for the registry wins | {\"credsStore\":\"s\",\"credHelpers\":{\"r\":\"h\"}} | h",
        "else the store | {\"credsStore\":\"s\",\"credHelpers\":{\"o\":\"h\"}} | s",
        "an empty helper is none | {\"credsStore\":\"\"} | ",
        "a helper that is no string is none | {\"credsStore\":1} | "
      })
  void theHelperIsTheRegistrysElseTheStore(String name, String json, String helper)
      throws Exception {
    assertThat(read(json).helperFor("r")).isEqualTo(helper);
  }

  private static String auth(String pair) {
    return Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "the same pair in auth | {\"auth\":\"AUTH(u:p)\"} | u | p | true",
        "a password with a colon | {\"auth\":\"AUTH(u:p:q)\"} | u | p:q | true",
        "an empty user in auth | {\"auth\":\"AUTH(:p)\"} | '' | p | true",
        "another password | {\"auth\":\"AUTH(u:x)\"} | u | p | false",
        "auth without a colon | {\"auth\":\"AUTH(up)\"} | u | p | false",
        "auth that is no base64 | {\"auth\":\"%%%\"} | u | p | false",
        "username and password members | {\"username\":\"u\",\"password\":\"p\"} | u | p | true",
        "an e-mail beside | {\"auth\":\"AUTH(u:p)\",\"email\":\"e\"} | u | p | false",
        "an identity token beside | {\"auth\":\"AUTH(u:p)\",\"identitytoken\":\"t\"} | u | p | false",
        "a registry token beside | {\"auth\":\"AUTH(u:p)\",\"registrytoken\":\"t\"} | u | p | false",
        "an empty entry, as a helper leaves | {} | '' | '' | true",
        "an empty entry is no password | {} | u | p | false",
        "an entry that is no object | \"x\" | '' | '' | false"
      })
  void aLoginChangingNothingIsSeen(
      String name, String entry, String user, String password, boolean holds) throws Exception {
    String e = entry;
    int at = e.indexOf("AUTH(");
    if (at >= 0) {
      int close = e.indexOf(')', at);
      e = e.substring(0, at) + auth(e.substring(at + 5, close)) + e.substring(close + 1);
    }
    assertThat(read("{\"auths\":{\"r\":" + e + "}}").holds("r", user, password)).isEqualTo(holds);
    assertThat(read("{\"auths\":{\"o\":" + e + "}}").holds("r", user, password)).isFalse();
    assertThat(read("{\"auths\":[]}").holds("r", user, password)).isFalse();
  }

  @Test
  void aLoginKeepsEverythingElseAndWritesAsDockerDoes() throws Exception {
    DockerConfigFile f =
        read(
            "{\"credsStore\":\"s\",\"auths\":{\"old\":{\"auth\":\"x\"}},"
                + "\"x\":[1.50,true,null,\"<\"]}");
    f.putAuth("new", Map.of("auth", "y"));
    f.write();
    assertThat(Files.readString(f.path()))
        .isEqualTo(
            "{\n\t\"credsStore\": \"s\",\n\t\"auths\": {\n\t\t\"old\": {\n\t\t\t\"auth\": \"x\"\n"
                + "\t\t},\n\t\t\"new\": {\n\t\t\t\"auth\": \"y\"\n\t\t}\n\t},\n\t\"x\": [\n\t\t1.50,\n"
                + "\t\ttrue,\n\t\tnull,\n\t\t\"\\u003c\"\n\t]\n}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())))
        .isEqualTo("rw-------");
    assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void aNewAuthsGoesFirstAsInDockersStruct() throws Exception {
    DockerConfigFile f = read("{\"credsStore\":\"s\",\"auths\":\"broken\"}");
    f.putAuth("r", Map.of());
    f.write();
    assertThat(Files.readString(f.path()))
        .isEqualTo("{\n\t\"auths\": {\n\t\t\"r\": {}\n\t},\n\t\"credsStore\": \"s\"\n}");
  }

  @Test
  void theDirectoryIsMadePrivateWhenMissing() throws Exception {
    DockerConfigFile f = DockerConfigFile.read(dir.resolve("new/config.json"));
    f.putAuth("r", Map.of());
    f.write();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))))
        .isEqualTo("rwx------");
    assertThat(DockerConfigFile.read(f.path()).holds("r", "", "")).isTrue();
  }

  @Test
  void aLogoutRemovesOnlyThatRegistry() throws Exception {
    DockerConfigFile f = read("{\"auths\":{\"r\":{},\"o\":{}}}");
    assertThat(f.removeAuth("r")).isTrue();
    assertThat(f.removeAuth("r")).isFalse();
    assertThat(read("{}").removeAuth("r")).isFalse();
    f.write();
    assertThat(Files.readString(f.path())).isEqualTo("{\n\t\"auths\": {\n\t\t\"o\": {}\n\t}\n}");
  }
}
