package io.tether.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tether.protocol.CloseCode;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InputLedgerTest {
  private final ByteArrayOutputStream shell = new ByteArrayOutputStream();
  private final InputLedger ledger = new InputLedger(4);

  private static OffsetFrame frame(long offset, String text) {
    return new OffsetFrame(offset, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
  }

  private void write(ByteBuffer bytes) {
    byte[] copy = new byte[bytes.remaining()];
    bytes.get(copy);
    shell.writeBytes(copy);
  }

  private String written() {
    return shell.toString(StandardCharsets.US_ASCII);
  }

  /** After "abcdef" has been applied, a resend at {@code offset} writes only what is new. */
  @ParameterizedTest
  @CsvSource({
    "0, abcdef, ''", // the same frame again
    "2, cd, ''", // inside what was applied
    "4, efgh, gh", // overlaps the mark
    "6, gh, gh", // exactly at the mark
    "0, abcdefgh, gh", // the whole stream resent
  })
  void appliesEachByteOnce(long offset, String text, String expectedNew) throws Exception {
    ledger.apply("c1", frame(0, "abcdef"), this::write);
    shell.reset();
    int written = ledger.apply("c1", frame(offset, text), this::write);
    assertEquals(expectedNew, written());
    assertEquals(expectedNew.length(), written);
    assertEquals(6 + expectedNew.length(), ledger.acknowledged("c1"));
  }

  @Test
  void aFrameThatSkipsBytesIsAProtocolError() throws Exception {
    ledger.apply("c1", frame(0, "ab"), this::write);
    ProtocolException e =
        assertThrows(ProtocolException.class, () -> ledger.apply("c1", frame(3, "d"), this::write));
    assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode());
    assertEquals(2, ledger.acknowledged("c1"));
    assertEquals("ab", written());
  }

  @Test
  void clientsHaveSeparateStreams() throws Exception {
    ledger.apply("c1", frame(0, "ab"), this::write);
    ledger.apply("c2", frame(0, "xy"), this::write);
    assertEquals("abxy", written());
    assertEquals(2, ledger.acknowledged("c1"));
    assertEquals(2, ledger.acknowledged("c2"));
  }

  @Test
  void aClientThatDeclaresInputNeverSeenHereIsToldItWasNotApplied() throws Exception {
    assertEquals(new InputLedger.Registration(10, true), ledger.attach("c1", 10));
    ledger.apply("c1", frame(10, "z"), this::write);
    ledger.detach("c1");
    assertEquals(new InputLedger.Registration(11, false), ledger.attach("c1", 0));
    assertEquals("z", written());
  }

  @Test
  void aNewClientStartsAtZeroWithNothingForgotten() {
    assertEquals(new InputLedger.Registration(0, false), ledger.attach("c1", 0));
  }

  @Test
  void anAttachedClientsMarkIsNeverForgottenHoweverManyComeAndGo() throws Exception {
    ledger.attach("c1", 0);
    ledger.apply("c1", frame(0, "abc"), this::write);
    for (int i = 0; i < 400; i++) {
      ledger.attach("other" + i, 0);
      ledger.apply("other" + i, frame(0, "x"), this::write);
      ledger.detach("other" + i);
    }
    // c1's next keystroke follows its own mark, not a mark re-made at 0.
    assertEquals(1, ledger.apply("c1", frame(3, "d"), this::write));
    assertEquals(4, ledger.acknowledged("c1"));
    assertEquals(1 + 4, ledger.remembered(), "c1 and the four most recent of the others");
  }

  @Test
  void aClientAwayWhileOthersCameAndWentIsToldItsMarkWasForgottenNeverGuessed() throws Exception {
    ledger.attach("away", 0);
    ledger.apply("away", frame(0, "echo 1\r"), this::write);
    ledger.detach("away");
    for (int i = 0; i < 300; i++) {
      ledger.attach("other" + i, 0);
      ledger.detach("other" + i);
    }
    // It typed 7 bytes, all applied, then 5 more while away that never arrived.
    InputLedger.Registration back = ledger.attach("away", 12);
    assertEquals(new InputLedger.Registration(12, true), back);
    shell.reset();
    // Its next keystroke is numbered after what it declared; nothing is applied twice.
    ledger.apply("away", frame(12, "x"), this::write);
    assertEquals("x", written());
  }

  @Test
  void aSecondConnectionOfTheSameClientKeepsTheMarkPinnedUntilBothAreGone() throws Exception {
    ledger.attach("c1", 0);
    ledger.apply("c1", frame(0, "ab"), this::write);
    ledger.attach("c1", 2); // a reload's new connection, before the old one is replaced
    ledger.detach("c1");
    for (int i = 0; i < 10; i++) {
      ledger.attach("other" + i, 0);
      ledger.detach("other" + i);
    }
    assertEquals(2, ledger.acknowledged("c1"));
  }

  @Test
  void theMarkDoesNotMoveWhenTheWriteFails() throws Exception {
    assertThrows(
        IOException.class,
        () ->
            ledger.apply(
                "c1",
                frame(0, "ab"),
                bytes -> {
                  throw new IOException("shell gone");
                }));
    assertEquals(0, ledger.acknowledged("c1"));
  }

  @Test
  void forgetsTheLeastRecentlyUsedOfTheClientsThatWentAway() throws Exception {
    for (int i = 0; i < 5; i++) {
      ledger.attach("c" + i, 0);
      ledger.apply("c" + i, frame(0, "x"), this::write);
      ledger.detach("c" + i);
    }
    assertEquals(0, ledger.acknowledged("c0"));
    assertEquals(1, ledger.acknowledged("c4"));
  }

  @Test
  void aBlockedWriteHoldsUpNoOneAskingForAMark() throws Exception {
    ledger.apply("c1", frame(0, "ab"), this::write);
    CountDownLatch inWrite = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread paste =
        new Thread(
            () -> {
              try {
                ledger.apply(
                    "c1",
                    frame(2, "cd"),
                    bytes -> {
                      inWrite.countDown();
                      try {
                        release.await(); // the shell is not reading: the PTY write blocks
                      } catch (InterruptedException e) {
                        throw new InterruptedIOException();
                      }
                      write(bytes);
                    });
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    paste.start();
    inWrite.await();

    // A heartbeat and a second client's attach, while the write still blocks.
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          assertEquals(2, ledger.acknowledged("c1"), "the mark moves only after the write");
          assertEquals(5, ledger.attach("c2", 5).acknowledged());
          // A keystroke on an I/O thread neither waits for the write nor goes around it.
          assertEquals(-1, ledger.applyNow("c2", frame(5, "x"), takesUpTo(Integer.MAX_VALUE)));
          assertEquals(5, ledger.acknowledged("c2"));
        });

    release.countDown();
    paste.join();
    assertEquals(4, ledger.acknowledged("c1"));
    assertEquals("abcd", written());
  }

  /**
   * Without waiting, what the shell takes at once is applied and no more; the same frame applied
   * afterwards writes only the rest: every byte once, in order.
   */
  @Test
  void applyNowAppliesWhatTheShellTakesAndApplyTheRest() throws Exception {
    InputLedger.Sink takesTwo = takesUpTo(2);
    ledger.attach("c1", 0);

    assertEquals(-1, ledger.applyNow("c1", frame(0, "abcdef"), takesTwo));
    assertEquals(2, ledger.acknowledged("c1"));
    assertEquals(4, ledger.apply("c1", frame(0, "abcdef"), takesTwo));
    assertEquals(2, ledger.applyNow("c1", frame(6, "gh"), takesTwo), "all of it, at once");
    assertEquals(0, ledger.applyNow("c1", frame(0, "abcdefgh"), takesTwo), "nothing new");
    assertEquals("abcdefgh", written());
    assertEquals(8, ledger.acknowledged("c1"));
  }

  /** A shell with room for {@code max} bytes at each writeNow. */
  private InputLedger.Sink takesUpTo(int max) {
    return new InputLedger.Sink() {
      @Override
      public void write(ByteBuffer bytes) {
        InputLedgerTest.this.write(bytes);
      }

      @Override
      public int writeNow(ByteBuffer bytes) {
        ByteBuffer taken = bytes.duplicate();
        taken.limit(taken.position() + Math.min(max, taken.remaining()));
        int n = taken.remaining();
        InputLedgerTest.this.write(taken);
        return n;
      }
    };
  }
}
