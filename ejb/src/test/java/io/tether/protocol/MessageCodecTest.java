package io.tether.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageCodecTest {
  private static final String HELLO =
      "{\"type\":\"hello\",\"ticket\":\"t\",\"sessionId\":null,\"resumeOffset\":0,"
          + "\"clientId\":\"c-1\",\"inputOffset\":0,\"cols\":80,\"rows\":24}";

  @Test
  void parsesANewSessionHello() throws Exception {
    var hello = assertInstanceOf(ClientMessage.Hello.class, MessageCodec.parse(HELLO));
    assertEquals("t", hello.ticket());
    assertNull(hello.sessionId());
    assertEquals("c-1", hello.clientId());
    assertEquals(80, hello.cols());
    assertEquals(24, hello.rows());
  }

  @Test
  void parsesAResume() throws Exception {
    var hello =
        (ClientMessage.Hello)
            MessageCodec.parse(
                HELLO
                    .replace("\"sessionId\":null", "\"sessionId\":\"abc_-9\"")
                    .replace("\"resumeOffset\":0", "\"resumeOffset\":5000000000"));
    assertTrue(hello.resumes());
    assertEquals(5_000_000_000L, hello.resumeOffset());
  }

  @Test
  void anObserverNamesTheSessionItWatches() throws Exception {
    String observe = HELLO.replace("\"sessionId\":null", "\"sessionId\":\"abc\",\"observe\":true");
    assertTrue(((ClientMessage.Hello) MessageCodec.parse(observe)).observe());
    assertFalse(((ClientMessage.Hello) MessageCodec.parse(HELLO)).observe(), "absent is false");
    for (String bad :
        new String[] {
          HELLO.replace("\"sessionId\":null", "\"sessionId\":null,\"observe\":true"),
          HELLO.replace("\"sessionId\":null", "\"sessionId\":\"abc\",\"observe\":\"yes\""),
        }) {
      ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.parse(bad));
      assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode(), bad);
    }
  }

  @Test
  void aHelloMustSaySessionIdEvenForANewSession() throws Exception {
    assertNull(((ClientMessage.Hello) MessageCodec.parse(HELLO)).sessionId());
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> MessageCodec.parse(HELLO.replace("\"sessionId\":null,", "")));
    assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode());
  }

  @Test
  void aControlCharacterAfterTheObjectIs4000() {
    for (String tail : new String[] {"\u0000", "\u0001", "\u00a0", "//"}) {
      ProtocolException e =
          assertThrows(
              ProtocolException.class, () -> MessageCodec.parse("{\"type\":\"heartbeat\"}" + tail));
      assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode(), tail);
    }
  }

  @Test
  void whitespaceAroundTheObjectIsFine() throws Exception {
    assertInstanceOf(
        ClientMessage.Heartbeat.class, MessageCodec.parse(" \r\n\t{\"type\":\"heartbeat\"} \n"));
  }

  @Test
  void parsesTheOtherClientMessages() throws Exception {
    assertEquals(new ClientMessage.Ack(42), MessageCodec.parse("{\"type\":\"ack\",\"offset\":42}"));
    assertEquals(
        new ClientMessage.Resize(132, 43),
        MessageCodec.parse("{\"type\":\"resize\",\"cols\":132,\"rows\":43}"));
    assertInstanceOf(ClientMessage.Heartbeat.class, MessageCodec.parse("{\"type\":\"heartbeat\"}"));
  }

  /** Each malformed frame and the close code it earns. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json | 4000",
        "[1,2] | 4000",
        "\"hello\" | 4000",
        "{} | 4000",
        "{\"type\":7} | 4000",
        "{\"type\":\"launch\"} | 4000",
        "{\"type\":\"ack\"} | 4000",
        "{\"type\":\"ack\",\"offset\":-1} | 4000",
        "{\"type\":\"ack\",\"offset\":1.5} | 4000",
        "{\"type\":\"ack\",\"offset\":\"1\"} | 4000",
        "{\"type\":\"ack\",\"offset\":99999999999999999999} | 4000",
        "{\"type\":\"resize\",\"cols\":0,\"rows\":24} | 4000",
        "{\"type\":\"resize\",\"cols\":80,\"rows\":1001} | 4000",
        "{\"type\":\"hello\",\"ticket\":\"t\"} | 4000",
        "{\"type\":\"heartbeat\"} x | 4000",
        "{\"type\":\"heartbeat\"}{\"type\":\"heartbeat\"} | 4000",
        "{\"type\":\"heartbeat\"} {} | 4000",
        "{\"type\":\"heartbeat\"}] | 4000",
        "{\"type\":\"heartbeat\"} 1 | 4000",
        "{\"type\":\"heartbeat\" | 4000",
      })
  void refusesMalformedFrames(String text, int code) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.parse(text));
    assertEquals(code, e.closeCode().code());
  }

  @ParameterizedTest
  @CsvSource({"'bad id!'", "''", "'a/b'"})
  void refusesIllFormedIds(String clientId) {
    String text = HELLO.replace("\"c-1\"", "\"" + clientId + "\"");
    assertThrows(ProtocolException.class, () -> MessageCodec.parse(text));
  }

  @Test
  void refusesTextOverTheLimitCountingUtf8Bytes() {
    // 1366 three-byte characters: 1366 chars, 4098 bytes.
    String big = "{\"type\":\"heartbeat\",\"pad\":\"" + "€".repeat(1366) + "\"}";
    ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.parse(big));
    assertEquals(CloseCode.FRAME_TOO_LARGE, e.closeCode());

    // Three-byte characters up to the limit (4095 bytes, more than 4096 / 3 chars) are fine.
    String within = "{\"type\":\"heartbeat\",\"pad\":\"" + "€".repeat(1355) + "x\"}";
    assertEquals(4095, within.getBytes(StandardCharsets.UTF_8).length);
    assertInstanceOf(
        ClientMessage.Heartbeat.class, assertDoesNotThrow(() -> MessageCodec.parse(within)));
  }

  @Test
  void anObserveAnswerIsParsedStrictly() throws Exception {
    assertEquals(
        new ClientMessage.ObserveAnswer("r-1a", true),
        MessageCodec.parse("{\"type\":\"observe-answer\",\"requestId\":\"r-1a\",\"accept\":true}"));
    for (String bad :
        List.of(
            "{\"type\":\"observe-answer\",\"requestId\":\"r-1a\"}",
            "{\"type\":\"observe-answer\",\"requestId\":\"r-1a\",\"accept\":\"yes\"}",
            "{\"type\":\"observe-answer\",\"requestId\":\"r 1\",\"accept\":true}",
            "{\"type\":\"observe-answer\",\"accept\":false}")) {
      ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.parse(bad));
      assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode(), bad);
    }
  }

  @Test
  void serverMessagesAreValidJson() {
    JsonObject attached =
        json(
            MessageCodec.attached("s", "node1", 10, 20, 10, 3, false, 10000, 1024, false, 120, 40));
    assertEquals("attached", attached.getString("type"));
    assertEquals(10, attached.getJsonNumber("dropped").longValue());
    assertEquals(3, json(MessageCodec.heartbeat(3, 9)).getInt("inputAcked"));
    assertEquals(7, json(MessageCodec.resync(7, 100)).getInt("dropped"));
    assertEquals(2, json(MessageCodec.exit(2)).getInt("code"));
    JsonObject notice = json(MessageCodec.notice("broadcast", "a \"quoted\" line", -1));
    assertEquals("a \"quoted\" line", notice.getString("message"));
    assertTrue(!notice.containsKey("secondsLeft"));
    JsonObject broadcast = json(MessageCodec.broadcast("back soon", "root"));
    assertEquals("broadcast", broadcast.getString("kind"));
    assertEquals("root", broadcast.getString("from"));
    assertEquals(
        "r-1", json(MessageCodec.observeRequest("r-1", "root", 30)).getString("requestId"));
    assertEquals(
        "declined", json(MessageCodec.observeRequestOver("r-1", "declined")).getString("outcome"));
    assertEquals(30, json(MessageCodec.awaitingConsent("alice", 30)).getInt("secondsLeft"));
  }

  @Test
  void closeCodesAreUniqueAndReasonsFitAFrame() {
    Set<Integer> codes = new HashSet<>();
    for (CloseCode code : EnumSet.allOf(CloseCode.class)) {
      assertTrue(codes.add(code.code()), "duplicate " + code.code());
      // Tether's own 40xx, or a standard code of the WebSocket layer (1000 to 1015).
      assertTrue(
          (code.code() >= 4000 && code.code() <= 4099)
              || (code.code() >= 1000 && code.code() <= 1015),
          code.name());
      assertEquals(code, CloseCode.of(code.code()));
      assertTrue(
          code.reason("é".repeat(200)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              <= 123);
    }
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
