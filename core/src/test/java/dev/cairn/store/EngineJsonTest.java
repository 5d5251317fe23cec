package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.image.EngineImage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An image's container config read and written as Docker 20.10 does (Go's encoding/json on
 * container.Config). The expected outputs are what Go 1.19 printed for a copy of that struct.
 */
class EngineJsonTest {

  private static String config(String imageJson) {
    EngineImage img = EngineImage.decode(imageJson.getBytes(StandardCharsets.UTF_8));
    return new String(EngineJson.config(img.config()), StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          only Env: every other field zero-valued | {"config":{"Env":["PATH=/bin"]}} \
          | {"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,\
          "AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,\
          "Env":["PATH=/bin"],"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"",\
          "Entrypoint":null,"OnBuild":null,"Labels":null}
          an empty health check stays an object | {"config":{"Healthcheck":{}}} \
          | {"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,\
          "AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,\
          "Cmd":null,"Healthcheck":{},"Image":"","Volumes":null,"WorkingDir":"",\
          "Entrypoint":null,"OnBuild":null,"Labels":null}
          every field; keys in any case; a duplicate config merges; unknown keys go \
          | {"CONFIG":{"env":["A=1"],"cmd":"sh","Healthcheck":{"Test":["CMD","true"],\
          "Interval":1000000000,"Retries":3},"StopTimeout":10,"Shell":["/bin/sh","-c"],\
          "ArgsEscaped":true,"ExposedPorts":{"80/tcp":{},"443/tcp":null},\
          "Volumes":{"/data":{}},"MacAddress":"m","NetworkDisabled":true,"StopSignal":"SIGTERM",\
          "Labels":{"b":"2","a":"<1>"},"OnBuild":[],"Entrypoint":["e",null],\
          "PublishService":"x"},"config":{"Labels":{"c":"3"},"User":"u"}} \
          | {"Hostname":"","Domainname":"","User":"u","AttachStdin":false,"AttachStdout":false,\
          "AttachStderr":false,"ExposedPorts":{"443/tcp":{},"80/tcp":{}},"Tty":false,\
          "OpenStdin":false,"StdinOnce":false,"Env":["A=1"],"Cmd":["sh"],\
          "Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"Retries":3},\
          "ArgsEscaped":true,"Image":"","Volumes":{"/data":{}},"WorkingDir":"",\
          "Entrypoint":["e",""],"NetworkDisabled":true,"MacAddress":"m","OnBuild":[],\
          "Labels":{"a":"\\u003c1\\u003e","b":"2","c":"3"},"StopSignal":"SIGTERM",\
          "StopTimeout":10,"Shell":["/bin/sh","-c"]}
          """)
  void aConfigIsWrittenWithEveryFieldOfDockers(String name, String image, String expected) {
    assertThat(config(image)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          absent | {}
          null | {"config":null}
          null after an object | {"config":{"Env":["A=1"]},"Config":null}
          """)
  void anImageWithoutConfigHasNone(String name, String image) {
    assertThat(EngineImage.decode(image.getBytes(StandardCharsets.UTF_8)).config()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a string for a list | {"config":{"Env":"x"}} \
          | field config.Env: expected an array of strings, got string
          a number for a string | {"config":{"User":1}} \
          | field config.User: expected a string, got number
          a fraction for a duration | {"config":{"Healthcheck":{"Interval":1.5}}} \
          | field config.Healthcheck.Interval: cannot decode number "1.5" as a 64-bit integer
          """)
  void aValueOfTheWrongTypeIsAnError(String name, String image, String message) {
    assertThatThrownBy(() -> EngineImage.decode(image.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CairnException.class)
        .hasMessage(message);
  }
}
