package io.tether.web.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BasicCredentialsTest {

  private static String basic(String token) {
    return "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0} -> {1} / {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "alice:alice-pass       | alice | alice-pass",
        "alice:pa:ss            | alice | pa:ss", // only the first colon separates
        "alice:                 | alice | ''",
        "zoë:pässwörd           | zoë   | pässwörd", // UTF-8
        ":no-user               | -     | -",
        "no-colon               | -     | -",
      })
  void parsesTheUserAndPassword(String token, String user, String password) {
    Optional<BasicCredentials> parsed = BasicCredentials.parse(basic(token));

    assertEquals(
        user == null ? Optional.empty() : Optional.of(new BasicCredentials(user, password)),
        parsed);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Basic YWxpY2U6YWxpY2UtcGFzcw== | true",
        "basic YWxpY2U6YWxpY2UtcGFzcw== | true",
        "BASIC   YWxpY2U6YWxpY2UtcGFzcw==  | true",
        "Basic                          | true",
        "Bearer abc                     | false",
        "Basicx YWxp                    | false",
        "Digest username=alice          | false",
      })
  void tellsTheBasicSchemeFromOthers(String header, boolean basic) {
    assertEquals(basic, BasicCredentials.isBasic(header));
  }

  @ParameterizedTest
  @CsvSource({"'Basic !!notbase64'", "'Basic'", "'Bearer YWxpY2U6eA=='"})
  void refusesWhatIsNotBasicCredentials(String header) {
    assertEquals(Optional.empty(), BasicCredentials.parse(header));
  }
}
