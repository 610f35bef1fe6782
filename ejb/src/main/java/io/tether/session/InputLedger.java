package io.tether.session;

import io.tether.protocol.CloseCode;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies each client's input exactly once. Per client id it keeps the high-water mark of input
 * written to the shell; a resent frame's part below the mark is dropped, a frame above it (bytes
 * skipped) is a protocol fault. The mark moves only after the bytes were written.
 *
 * <p>Writes are serialised by their own lock, and the marks are read under another: a PTY write
 * blocks while the shell does not read (a large paste during {@code sleep}), and that must not hold
 * up a heartbeat or an attach that only asks for a mark.
 */
public final class InputLedger {
  /** Writes input to the shell. */
  @FunctionalInterface
  public interface Sink {
    void write(ByteBuffer bytes) throws IOException;
  }

  private final Map<String, Long> marks; // guarded by itself
  private final Object writing = new Object();
  private boolean closed; // guarded by writing

  /**
   * @param maxClients how many clients' marks to remember; the least recently used go first
   */
  public InputLedger(int maxClients) {
    this.marks =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > maxClients;
          }
        };
  }

  /**
   * The client's mark; a client seen for the first time starts at {@code startOffset} (what it
   * declares it has typed before, which this session never saw).
   */
  public long register(String clientId, long startOffset) {
    synchronized (marks) {
      return marks.computeIfAbsent(clientId, id -> startOffset);
    }
  }

  public long acknowledged(String clientId) {
    synchronized (marks) {
      return marks.getOrDefault(clientId, 0L);
    }
  }

  /**
   * The session ended: input that arrives from now on is not written (a write under way finishes
   * first).
   */
  public void close() {
    synchronized (writing) {
      closed = true;
    }
  }

  /**
   * Writes the new part of {@code frame} to {@code sink} and advances the client's mark.
   *
   * @return how many bytes were written (none once the ledger is closed)
   */
  public int apply(String clientId, OffsetFrame frame, Sink sink)
      throws ProtocolException, IOException {
    synchronized (writing) {
      if (closed) {
        return 0;
      }
      long mark = acknowledged(clientId);
      long start = frame.offset();
      long end = start + frame.length();
      if (start > mark) {
        throw new ProtocolException(
            CloseCode.PROTOCOL_ERROR,
            "input frame at " + start + " skips bytes: " + mark + " applied so far");
      }
      if (end <= mark) {
        return 0;
      }
      ByteBuffer fresh = frame.payload().duplicate();
      fresh.position(fresh.position() + (int) (mark - start));
      int written = fresh.remaining();
      sink.write(fresh);
      synchronized (marks) {
        marks.put(clientId, end);
      }
      return written;
    }
  }
}
