package io.tether.protocol;

import java.nio.charset.StandardCharsets;

/** UTF-8 helpers that never split a character. */
final class Utf8 {
  private Utf8() {}

  static String truncate(String text, int maxBytes) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= maxBytes) {
      return text;
    }
    int end = maxBytes;
    // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }
}
