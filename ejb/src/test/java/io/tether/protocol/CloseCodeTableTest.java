package io.tether.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link CloseCode} says what docs/protocol.md says, code for code (the front end's table is held
 * to the same document by close-codes.test.js): the document is normative, so this reads it.
 */
class CloseCodeTableTest {
  private static final Path PROTOCOL_DOC = Path.of("..", "docs", "protocol.md");

  /** A row of the "Close codes" tables: | code | name | session | client action | sentence | */
  private record Row(int code, String name, String session, String sentence) {}

  private static List<Row> documented() throws IOException {
    String doc = Files.readString(PROTOCOL_DOC);
    String section =
        Arrays.stream(doc.split("(?m)^## "))
            .filter(s -> s.startsWith("Close codes"))
            .findFirst()
            .orElseThrow();
    return section
        .lines()
        .map(line -> line.split("\\|", -1))
        .filter(cells -> cells.length == 7 && cells[1].trim().matches("\\d{4}"))
        .map(c -> new Row(Integer.parseInt(c[1].trim()), c[2].trim(), c[3].trim(), c[5].trim()))
        .toList();
  }

  @Test
  void theTableHasExactlyTheDocumentedCodes() throws IOException {
    Set<Integer> inDoc = documented().stream().map(Row::code).collect(Collectors.toSet());
    Set<Integer> inTable =
        EnumSet.allOf(CloseCode.class).stream().map(CloseCode::code).collect(Collectors.toSet());

    assertEquals(inDoc, inTable);
  }

  @Test
  void eachCodeHasItsDocumentedNameSentenceAndSession() throws IOException {
    for (Row row : documented()) {
      CloseCode code = CloseCode.of(row.code());
      assertEquals(row.name(), code.label(), row.toString());
      assertEquals("ended".equals(row.session()), code.endsSession(), row.toString());
      if (code != CloseCode.SHELL_EXITED) { // the document's "with code N" is filled in per exit
        assertEquals(row.sentence(), code.sentence(), row.toString());
      }
    }
  }
}
