package io.tether.web.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SseFormatTest {
  @Test
  void anEventHasItsFieldsThenABlankLine() {
    assertEquals(
        "event: session\nid: 7@abc\ndata: {\"seq\":7}\n\n",
        SseFormat.event("session", "7@abc", null, "{\"seq\":7}"));
  }

  @Test
  void aControlEventCarriesTheReconnectDelay() {
    assertEquals(
        "event: ready\nid: 0@abc\nretry: 1000\ndata: {}\n\n",
        SseFormat.event("ready", "0@abc", 1000L, "{}"));
  }

  @Test
  void multiLineDataBecomesOneDataLinePerLine() {
    assertEquals(
        "data: a\ndata: b\ndata: \ndata: c\n\n", SseFormat.event(null, null, null, "a\nb\r\n\rc"));
  }

  @Test
  void fieldsCannotBreakTheFraming() {
    assertEquals("event: x y\nid: 1 2\ndata: d\n\n", SseFormat.event("x\ny", "1\r2", null, "d"));
    assertEquals(": keep alive\n\n", SseFormat.comment("keep\nalive"));
  }
}
