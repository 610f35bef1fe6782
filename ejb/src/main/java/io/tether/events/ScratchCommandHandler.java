package io.tether.events;

import io.tether.protocol.CloseCode;
import io.tether.session.SessionEnd;
import io.tether.session.SessionManager;
import io.tether.session.TerminalSession;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** TEMPORARY, to be deleted: stands in for SessionManager's handler while testing. */
@ApplicationScoped
public class ScratchCommandHandler implements SessionCommandHandler {
  @Inject SessionManager sessions;

  @Override
  public void kill(String sessionId, String by) {
    sessions.end(sessionId, SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));
  }

  @Override
  public void notice(String sessionId, String message) {
    sessions.find(sessionId).ifPresent(s -> s.notice("broadcast", message, -1));
  }

  @Override
  public void detach(String sessionId, String by) {
    sessions
        .find(sessionId)
        .ifPresent(s -> s.attachments().forEach(a -> a.close(CloseCode.DETACHED_BY_ADMIN, null)));
  }

  @Override
  public void noticeAll(String message) {
    for (TerminalSession s : sessions.sessions()) {
      s.notice("broadcast", message, -1);
    }
  }
}
