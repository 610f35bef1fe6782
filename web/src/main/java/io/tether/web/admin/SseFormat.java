package io.tether.web.admin;

/** The {@code text/event-stream} wire format (WHATWG HTML, server-sent events). */
final class SseFormat {
  private SseFormat() {}

  /**
   * One event: {@code event}, {@code id}, {@code retry} (if not null) and one {@code data} line per
   * line of {@code data}, then the blank line that dispatches it.
   */
  static String event(String name, String id, Long retryMillis, String data) {
    StringBuilder text = new StringBuilder(data.length() + 64);
    if (name != null) {
      text.append("event: ").append(oneLine(name)).append('\n');
    }
    if (id != null) {
      text.append("id: ").append(oneLine(id)).append('\n');
    }
    if (retryMillis != null) {
      text.append("retry: ").append(retryMillis).append('\n');
    }
    for (String line : data.split("\r\n|\r|\n", -1)) {
      text.append("data: ").append(line).append('\n');
    }
    return text.append('\n').toString();
  }

  /** A comment line, which clients ignore: keeps the connection from looking idle. */
  static String comment(String text) {
    return ": " + oneLine(text) + "\n\n";
  }

  private static String oneLine(String field) {
    return field.replaceAll("[\r\n]", " ");
  }
}
