package io.tether.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.ClientMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The users of a session are told who observes it; observers are not. */
class ObserverNoticesTest {
  private final TerminalSession session = TestSessions.session("s1", new QuietShell());

  private Attachment attach(RecordingChannel channel, String client, boolean observe)
      throws Exception {
    return session.attach(
        channel, new ClientMessage.Hello("t", "s1", 0, client, 0, 80, 24, observe));
  }

  private static List<String> notices(RecordingChannel channel) {
    return channel.texts().stream().filter(t -> t.contains("\"type\":\"notice\"")).toList();
  }

  @Test
  void usersAreToldWhenAnAdministratorStartsAndStopsWatching() throws Exception {
    RecordingChannel user = new RecordingChannel();
    RecordingChannel admin = new RecordingChannel();
    attach(user, "c-user", false);
    Attachment observer = attach(admin, "c-admin", true);

    session.observerNotices().observing(observer, "root-admin", session.attachments());

    List<String> told = notices(user);
    assertEquals(1, told.size(), told.toString());
    assertTrue(told.get(0).contains("\"kind\":\"observed\""), told.get(0));
    assertTrue(told.get(0).contains("An administrator (root-admin) is watching"), told.get(0));
    assertEquals(List.of(), notices(admin), "the observer is not told about itself");

    observer.close(io.tether.protocol.CloseCode.NODE_STOPPING, null);

    told = notices(user);
    assertEquals(2, told.size(), told.toString());
    assertTrue(told.get(1).contains("\"kind\":\"unobserved\""), told.get(1));
    assertEquals(List.of(), session.observerNotices().names());
  }

  @Test
  void aClientAttachingWhileSomeoneWatchesIsToldAtOnce() throws Exception {
    Attachment observer = attach(new RecordingChannel(), "c-admin", true);
    session.observerNotices().observing(observer, "root-admin", session.attachments());

    RecordingChannel late = new RecordingChannel();
    attach(late, "c-late", false);

    List<String> told = notices(late);
    assertEquals(1, told.size(), told.toString());
    assertTrue(told.get(0).contains("root-admin"), told.get(0));
  }

  @Test
  void nobodyIsToldWhenAUserClientComesAndGoes() throws Exception {
    RecordingChannel first = new RecordingChannel();
    attach(first, "c-1", false);
    Attachment second = attach(new RecordingChannel(), "c-2", false);
    second.lost();

    assertEquals(List.of(), notices(first));
  }
}
