package io.tether.session;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.CloseCode;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A transport for unit tests that records what was sent, and completes sends either at once or when
 * the test says so (a slow network), failing the test on any concurrent send.
 */
public final class RecordingChannel implements ClientChannel {
  final List<Object> sent = new ArrayList<>();
  final ArrayDeque<Consumer<Throwable>> pending = new ArrayDeque<>();
  CloseCode closedWith;
  String closeReason;
  private int closeCode;
  boolean completeAtOnce = true;
  private int inFlight;

  @Override
  public synchronized void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {
    ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
    record(copy, done);
  }

  @Override
  public synchronized void sendText(String text, Consumer<Throwable> done) {
    record(text, done);
  }

  @Override
  public synchronized void sendPing(Consumer<Throwable> done) {
    record("<ping>", done);
  }

  private void record(Object what, Consumer<Throwable> done) {
    if (inFlight > 0) {
      throw new AssertionError("concurrent send of " + what);
    }
    sent.add(what);
    inFlight++;
    if (completeAtOnce) {
      inFlight--;
      done.accept(null);
    } else {
      pending.add(done);
    }
  }

  /** Completes the oldest pending send, as the network would. */
  void completeOne() {
    Consumer<Throwable> done;
    synchronized (this) {
      done = pending.poll();
      inFlight--;
    }
    done.accept(null);
  }

  @Override
  public void close(CloseCode code, String reason) {
    close(code.code(), reason);
  }

  @Override
  public synchronized void close(int code, String reason) {
    if (closeCode == 0) {
      closeCode = code;
      closedWith =
          Arrays.stream(CloseCode.values()).filter(c -> c.code() == code).findFirst().orElse(null);
      closeReason = reason;
    }
  }

  /** The WebSocket close code this channel was closed with (a Tether code or not), 0 while open. */
  public synchronized int closeCode() {
    return closeCode;
  }

  @Override
  public String describe() {
    return "recording";
  }

  /** The close code this channel was closed with, or null while open. */
  public CloseCode closedWith() {
    return closedWith;
  }

  /** How many binary (output) frames were sent. */
  public synchronized long binaryFrames() {
    return sent.stream().filter(ByteBuffer.class::isInstance).count();
  }

  public synchronized List<String> texts() {
    return sent.stream().filter(String.class::isInstance).map(String.class::cast).toList();
  }

  /** The output bytes received, in order, checking each frame starts where the last ended. */
  synchronized String output(long from) {
    StringBuilder out = new StringBuilder();
    long next = from;
    for (Object o : sent) {
      if (o instanceof ByteBuffer frame) {
        long offset = frame.getLong(0);
        if (offset != next) {
          throw new AssertionError("frame at " + offset + ", expected " + next);
        }
        for (int i = 8; i < frame.limit(); i++) {
          out.append((char) frame.get(i));
        }
        next += frame.limit() - 8;
      }
    }
    return out.toString();
  }
}
