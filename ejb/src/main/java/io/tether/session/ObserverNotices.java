package io.tether.session;

import io.tether.protocol.MessageCodec;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells the people using a session who is watching it: when an administrator starts or stops
 * observing, every client attached to use the terminal gets a notice ({@value #OBSERVED} naming the
 * observers, or {@value #UNOBSERVED} when the last one left), and a client attaching while someone
 * watches gets the current one at once. Observers themselves are not told.
 */
public final class ObserverNotices {
  /** The notice kind while at least one administrator observes. */
  public static final String OBSERVED = "observed";

  /** The notice kind when the last observer has gone. */
  public static final String UNOBSERVED = "unobserved";

  private final Map<Attachment, String> observers = new ConcurrentHashMap<>();

  /** {@code observer} (an administrator called {@code who}) now watches the session. */
  public void observing(Attachment observer, String who, List<Attachment> clients) {
    if (!observer.observer() || observer.isClosed()) {
      return;
    }
    observers.put(observer, who);
    if (observer.isClosed()) { // it left while being named: its detach found nothing to remove
      observers.remove(observer);
      return;
    }
    tell(clients, current());
  }

  /** A client attached: one that uses the terminal learns who is watching right now. */
  public void attached(Attachment client) {
    if (!client.observer() && !observers.isEmpty()) {
      client.sendText(current());
    }
  }

  /** A client detached: if it was an observer, the rest are told who still watches. */
  public void detached(Attachment client, List<Attachment> clients) {
    if (observers.remove(client) != null) {
      tell(clients, current());
    }
  }

  /** The administrators watching now, by name, each once. */
  public List<String> names() {
    return List.copyOf(new TreeSet<>(observers.values()));
  }

  private String current() {
    List<String> names = names();
    if (names.isEmpty()) {
      return MessageCodec.notice(UNOBSERVED, "No administrator is watching this session now.", -1);
    }
    String who = String.join(", ", names);
    String whoWatches =
        names.size() == 1
            ? "An administrator (" + who + ") is"
            : "Administrators (" + who + ") are";
    return MessageCodec.notice(OBSERVED, whoWatches + " watching this session, read-only.", -1);
  }

  private static void tell(List<Attachment> clients, String notice) {
    for (Attachment client : clients) {
      if (!client.observer()) {
        client.sendText(notice);
      }
    }
  }
}
