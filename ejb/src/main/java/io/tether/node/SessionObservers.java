package io.tether.node;

import io.tether.config.TetherSettings;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.ProtocolException;
import io.tether.session.Attachment;
import io.tether.session.ObserveRequests;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.ticket.Ticket;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * An administrator's observing of a session of this node: attached at once under the policy {@code
 * notify} (the users are told who watches), or under {@code consent} once the session's user
 * agrees. Until then the observer gets {@code awaiting-consent} and nothing of the session; a
 * decline or no answer in time refuses it with {@code 4019}.
 */
@ApplicationScoped
public class SessionObservers {
  private static final Logger LOG = Logger.getLogger(SessionObservers.class.getName());

  @Inject TetherSettings settings;
  @Inject SessionLauncher launcher;

  private boolean consent; // an administrator observes once the session's user agrees
  private Duration consentTimeout;

  @PostConstruct
  void configure() {
    consent = settings.observeNeedsConsent();
    consentTimeout = settings.consentTimeout();
  }

  /**
   * Attaches the observer now, or once the session's user agrees. Cancelling the result (the
   * observer went away) withdraws the request.
   *
   * @throws ProtocolException no such session, or no admin role
   */
  public CompletableFuture<Attachment> observe(
      Ticket ticket, ClientMessage.Hello hello, ClientChannel channel) throws ProtocolException {
    if (!consent) {
      return CompletableFuture.completedFuture(launcher.resume(ticket, hello, channel));
    }
    TerminalSession session = launcher.liveSession(hello.sessionId());
    SessionLauncher.checkMayAttach(session.id(), session.owner(), ticket, true);
    CompletableFuture<Attachment> admitted = new CompletableFuture<>();
    // The channel's one send before it has an attachment: what follows waits for it to finish.
    CompletableFuture<Void> told = new CompletableFuture<>();
    ObserveRequests.Decision decision =
        new ObserveRequests.Decision() {
          @Override
          public void accepted() {
            told.thenRun(() -> attach(session, ticket, hello, channel, admitted));
          }

          @Override
          public void refused(CloseCode code, String reason) {
            told.thenRun(() -> admitted.completeExceptionally(new ProtocolException(code, reason)));
          }
        };
    LOG.info(
        () ->
            String.format(
                "session %s: %s asks %s for consent to observe it",
                session.id(), ticket.user(), session.owner()));
    String request =
        session
            .observeRequests()
            .ask(ticket.user(), consentTimeout, session.attachments(), decision);
    admitted.whenComplete(
        (attachment, refusal) -> {
          if (admitted.isCancelled()) {
            session.observeRequests().withdraw(request, session.attachments());
          }
        });
    SessionEnd end = session.ended();
    if (end != null) { // it ended while being asked: its end refused nobody yet
      session.observeRequests().ended(end);
    }
    channel.sendText(
        MessageCodec.awaitingConsent(session.owner(), consentTimeout.toSeconds()),
        failure -> told.complete(null));
    return admitted;
  }

  private void attach(
      TerminalSession session,
      Ticket ticket,
      ClientMessage.Hello hello,
      ClientChannel channel,
      CompletableFuture<Attachment> admitted) {
    if (admitted.isDone()) {
      return; // the observer went away meanwhile
    }
    try {
      Attachment attachment = session.attach(channel, hello);
      if (!admitted.complete(attachment)) { // it went away while being attached
        attachment.lost(false);
        return;
      }
      session.observerNotices().observing(attachment, ticket.user(), session.attachments());
    } catch (ProtocolException e) {
      admitted.completeExceptionally(e);
    }
  }
}
