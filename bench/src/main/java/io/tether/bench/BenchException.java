package io.tether.bench;

/** The benchmark could not take a measurement (timeout, closed connection, corrupt output). */
final class BenchException extends Exception {
  BenchException(String message) {
    super(message);
  }

  BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
