package io.tether.web.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompressionRuleTest {
  private static final String CHROMIUM = "permessage-deflate; client_max_window_bits";

  @ParameterizedTest(name = "{0}: peer {1}, X-Forwarded-For [{2}] -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        // remote: only a connection that left this machine
        "remote | 127.0.0.1       |                         | false",
        "remote | 127.0.0.53      |                         | false",
        "remote | ::1             |                         | false",
        "remote | 0:0:0:0:0:0:0:1 |                         | false",
        "remote | 10.0.0.7        |                         | true",
        "remote | 192.0.2.1       |                         | true",
        "remote | 2001:db8::1     |                         | true",
        // a proxy on this machine (the shipped nginx) names the client
        "remote | 127.0.0.1       | 127.0.0.1               | false",
        "remote | 127.0.0.1       | 203.0.113.9             | true",
        "remote | 127.0.0.1       | 203.0.113.9, 127.0.0.1  | true",
        "remote | 127.0.0.1       | [::1]:5123, 127.0.0.1:80| false",
        "remote | 127.0.0.1       | unknown                 | true",
        "remote | 127.0.0.1       | localhost               | true",
        "remote | 127.0.0.1       | ::ffff:127.0.0.1        | false",
        "remote | 127.0.0.1       | 128.0.0.1               | true",
        // the other modes ignore where the client is
        "always | 127.0.0.1       |                         | true",
        "always | 192.0.2.1       |                         | true",
        "never  | 192.0.2.1       |                         | false",
        "never  | 127.0.0.1       | 203.0.113.9             | false",
      })
  void decidesByModeAndWhereTheClientIs(
      String mode, String peer, String forwardedFor, boolean expected) {
    List<String> headers = forwardedFor == null ? List.of() : List.of(forwardedFor);
    assertEquals(expected, new CompressionRule(mode).negotiates(CHROMIUM, peer, headers));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "permessage-deflate                                     | true",
        "permessage-deflate; client_max_window_bits             | true",
        "x-webkit-deflate-frame, permessage-deflate             | true",
        "PerMessage-Deflate                                      | true",
        "x-webkit-deflate-frame                                 | false",
        "permessage-deflate; client_no_context_takeover         | true",
        "permessage-deflate; server_no_context_takeover         | false",
        "permessage-deflate; client_max_window_bits, permessage-deflate; server_no_context_takeover | false",
      })
  void takesOnlyAPlainPermessageDeflateOffer(String offer, boolean expected) {
    assertEquals(expected, new CompressionRule("always").negotiates(offer, "192.0.2.1", List.of()));
  }

  @Test
  void noOfferNoCompression() {
    assertFalse(new CompressionRule("always").negotiates(null, "192.0.2.1", List.of()));
  }

  @Test
  void refusesAnUnknownMode() {
    assertThrows(IllegalArgumentException.class, () -> new CompressionRule("auto"));
  }

  @Test
  void readsAddressesWithPorts() {
    assertTrue(CompressionRule.isLoopback("127.1.2.3:8080"));
    assertTrue(CompressionRule.isLoopback("[::1]:8080"));
    assertFalse(CompressionRule.isLoopback("[2001:db8::1]:8080"));
    assertFalse(CompressionRule.isLoopback(null));
  }
}
