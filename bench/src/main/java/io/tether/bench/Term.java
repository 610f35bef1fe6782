package io.tether.bench;

import java.nio.charset.StandardCharsets;

/** A terminal the benchmark types into and reads from: a bare PTY or a Tether session. */
interface Term extends AutoCloseable {
  /** Where output goes from now on (null: nowhere). */
  void sink(Sink sink);

  /** Sends keystrokes; this is on the measured path. */
  void type(byte[] bytes) throws BenchException;

  default void type(String text) throws BenchException {
    type(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Output chunks delivered so far: PTY reads, or binary message parts for Tether. */
  long chunks();

  /** Types {@code exit} and waits until the shell and its terminal are gone. */
  void exit() throws BenchException;

  /** Ends the terminal however it can (after a failure); never throws. */
  @Override
  void close();
}
