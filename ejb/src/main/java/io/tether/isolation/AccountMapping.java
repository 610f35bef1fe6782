package io.tether.isolation;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which operating-system account a Tether user's shell runs as: the user's own name, the name
 * behind a prefix ({@code tether-alice}, the default, which keeps Tether's users apart from the
 * machine's own accounts: a Tether user called {@code root} or {@code postgres} is no danger), or
 * an explicit table. The table also overrides the other two for the users it names.
 */
public record AccountMapping(Mode mode, String prefix, Map<String, String> table) {
  /** How names are mapped. */
  public enum Mode {
    PREFIX,
    SAME_NAME,
    TABLE
  }

  /** What {@code useradd} accepts by default on Debian, at most 32 characters. */
  private static final Pattern ACCOUNT = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

  public AccountMapping {
    table = Map.copyOf(table);
  }

  /**
   * @param mode {@code prefix}, {@code same-name} or {@code table}
   */
  public static AccountMapping of(String mode, String prefix, Map<String, String> table) {
    Mode parsed =
        switch (mode) {
          case "prefix" -> Mode.PREFIX;
          case "same-name" -> Mode.SAME_NAME;
          case "table" -> Mode.TABLE;
          default ->
              throw new IllegalArgumentException(
                  "tether.isolation.account-mapping is prefix, same-name or table, not " + mode);
        };
    return new AccountMapping(parsed, prefix, table);
  }

  /** The account for {@code user}; empty if none (not in the table, or not a valid name). */
  public Optional<String> accountFor(String user) {
    String account = table.get(user);
    if (account == null) {
      account =
          switch (mode) {
            case PREFIX -> prefix + user;
            case SAME_NAME -> user;
            case TABLE -> null;
          };
    }
    return Optional.ofNullable(account).filter(name -> ACCOUNT.matcher(name).matches());
  }
}
