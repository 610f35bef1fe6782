package io.tether.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccountMappingTest {
  private static final Map<String, String> TABLE = Map.of("bob", "robert", "eve", "root;rm");

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource(
      nullValues = "none",
      value = {
        "prefix, alice, tether-alice",
        "prefix, bob, robert", // the table wins
        "prefix, root, tether-root", // a Tether user called root is not root
        "prefix, Alice, none", // not a valid account name
        "prefix, ../x, none",
        "prefix, eve, none", // nor is what the table says
        "same-name, alice, alice",
        "same-name, bob, robert",
        "table, alice, none", // only those listed
        "table, bob, robert",
      })
  void mapsAUserToItsAccount(String mode, String user, String account) {
    assertEquals(
        Optional.ofNullable(account), AccountMapping.of(mode, "tether-", TABLE).accountFor(user));
  }
}
