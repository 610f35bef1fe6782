package io.tether.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The standard WebSocket codes a relaying node sends are in the one table, as on the wire. */
class CloseCodeTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1001 | going-away      | This server is shutting down.",
        "1012 | service-restart | The connection to the session's server was interrupted.",
        "1013 | try-again-later | The session's server cannot be reached.",
      })
  void aRelaysStandardCodeIsInTheTable(int code, String label, String sentence) {
    CloseCode entry = CloseCode.of(code);

    assertEquals(label, entry.label());
    assertEquals(sentence, entry.sentence());
    assertEquals(sentence, entry.reason(null));
    assertFalse(entry.endsSession(), "the session goes on on its owner; the client comes back");
  }
}
