package io.tether.session;

import io.tether.protocol.CloseCode;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Applies each client's input exactly once. Per client id it keeps the high-water mark of input
 * written to the shell; a resent frame's part below the mark is dropped, a frame above it (bytes
 * skipped) is a protocol fault. The mark moves only after the bytes were written.
 *
 * <p>Memory stays bounded without guessing: the mark of a client that is attached is never
 * forgotten; of the clients that went away, the {@code maxIdle} most recently seen are remembered.
 * A client that comes back after its mark was forgotten, or that declares input this session never
 * saw, is told so ({@link Registration#forgotten()}) instead of being trusted: its mark starts at
 * what it declares, and whatever it still holds unacknowledged was not applied.
 *
 * <p>Writes are serialised by their own lock, and the marks are read under another: a PTY write
 * blocks while the shell does not read (a large paste during {@code sleep}), and that must not hold
 * up a heartbeat or an attach that only asks for a mark.
 */
public final class InputLedger {
  /** Writes input to the shell. */
  @FunctionalInterface
  public interface Sink {
    /** Writes all of {@code bytes}, waiting for room if need be. */
    void write(ByteBuffer bytes) throws IOException;

    /**
     * Writes what can be written at once, never waiting; how many bytes, from the first. A sink
     * that cannot tell writes nothing this way.
     */
    default int writeNow(ByteBuffer bytes) throws IOException {
      return 0;
    }
  }

  /**
   * What an attaching client is told about its input stream.
   *
   * @param acknowledged the client's mark: how much of its input this session applied
   * @param forgotten true when the session does not know the client's earlier input (its mark was
   *     forgotten, or it never typed here): the client's unacknowledged input was not applied and
   *     is not to be resent
   */
  public record Registration(long acknowledged, boolean forgotten) {}

  /** An attached client's mark, and how many of its connections are attached right now. */
  private static final class Pinned {
    long mark;
    int attachments = 1;

    Pinned(long mark) {
      this.mark = mark;
    }
  }

  private final Object marks = new Object();
  private final Map<String, Pinned> attached = new HashMap<>(); // guarded by marks
  private final Map<String, Long> idle; // guarded by marks; least recently used first
  private final ReentrantLock writing = new ReentrantLock();
  private boolean closed; // guarded by writing

  /**
   * @param maxIdle how many detached clients' marks to remember; the least recently used go first
   */
  public InputLedger(int maxIdle) {
    this.idle =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > maxIdle;
          }
        };
  }

  /**
   * A connection of {@code clientId} attaches; its mark is kept for as long as one is attached.
   *
   * @param declaredOffset what the client says it has typed in all ({@code inputOffset})
   */
  public Registration attach(String clientId, long declaredOffset) {
    synchronized (marks) {
      Pinned pinned = attached.get(clientId);
      if (pinned != null) {
        pinned.attachments++;
        return new Registration(pinned.mark, false);
      }
      Long remembered = idle.remove(clientId);
      if (remembered != null) {
        attached.put(clientId, new Pinned(remembered));
        return new Registration(remembered, false);
      }
      attached.put(clientId, new Pinned(declaredOffset));
      return new Registration(declaredOffset, declaredOffset > 0);
    }
  }

  /** A connection of {@code clientId} went away; with its last one, its mark becomes idle. */
  public void detach(String clientId) {
    synchronized (marks) {
      Pinned pinned = attached.get(clientId);
      if (pinned != null && --pinned.attachments == 0) {
        attached.remove(clientId);
        idle.put(clientId, pinned.mark);
      }
    }
  }

  public long acknowledged(String clientId) {
    synchronized (marks) {
      Pinned pinned = attached.get(clientId);
      if (pinned != null) {
        return pinned.mark;
      }
      return idle.getOrDefault(clientId, 0L);
    }
  }

  /** How many clients' marks are held now (attached and idle). */
  public int remembered() {
    synchronized (marks) {
      return attached.size() + idle.size();
    }
  }

  /**
   * The session ended: input that arrives from now on is not written (a write under way finishes
   * first).
   */
  public void close() {
    writing.lock();
    try {
      closed = true;
    } finally {
      writing.unlock();
    }
  }

  /**
   * Writes the new part of {@code frame} to {@code sink} and advances the client's mark.
   *
   * @return how many bytes were written (none once the ledger is closed)
   */
  public int apply(String clientId, OffsetFrame frame, Sink sink)
      throws ProtocolException, IOException {
    writing.lock();
    try {
      ByteBuffer fresh = unapplied(clientId, frame);
      if (fresh == null) {
        return 0;
      }
      int written = fresh.remaining();
      sink.write(fresh);
      advance(clientId, frame.offset() + frame.length());
      return written;
    } finally {
      writing.unlock();
    }
  }

  /**
   * {@link #apply} without waiting: for the thread a frame arrived on, which serves other
   * connections too. Nothing is written while another write holds the ledger; otherwise what the
   * sink takes at once is written, and the mark moves past exactly that, so that an {@link #apply}
   * of the same frame afterwards writes only the rest.
   *
   * @return how many bytes were written, or -1 when some of the frame's new bytes were not: the
   *     frame is then to be applied with {@link #apply}
   */
  public int applyNow(String clientId, OffsetFrame frame, Sink sink)
      throws ProtocolException, IOException {
    if (!writing.tryLock()) {
      return -1;
    }
    try {
      ByteBuffer fresh = unapplied(clientId, frame);
      if (fresh == null) {
        return 0;
      }
      int wanted = fresh.remaining();
      int written = sink.writeNow(fresh);
      long end = frame.offset() + frame.length();
      if (written > 0) {
        advance(clientId, end - (wanted - written));
      }
      return written == wanted ? written : -1;
    } finally {
      writing.unlock();
    }
  }

  /**
   * The part of {@code frame} beyond the client's mark; null when there is none, or the ledger is
   * closed. Called with {@link #writing} held.
   *
   * @throws ProtocolException for a frame that starts beyond the mark: bytes were skipped
   */
  private ByteBuffer unapplied(String clientId, OffsetFrame frame) throws ProtocolException {
    if (closed) {
      return null;
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
      return null;
    }
    ByteBuffer fresh = frame.payload().duplicate();
    fresh.position(fresh.position() + (int) (mark - start));
    return fresh;
  }

  /** Moves the client's mark to {@code end}, the offset after its last byte written. */
  private void advance(String clientId, long end) {
    synchronized (marks) {
      Pinned pinned = attached.get(clientId);
      if (pinned != null) {
        pinned.mark = end;
      } else {
        idle.put(clientId, end);
      }
    }
  }
}
