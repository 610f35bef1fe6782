package io.tether.session;

import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Administrators' requests to observe a session that wait for its user's consent (policy {@code
 * consent}): every client attached to use the terminal is asked ({@code observe-request}), one of
 * them answers ({@code observe-answer}), and every one is told the request is over ({@code
 * observe-request-over}). An answer that names no waiting request of this session changes nothing;
 * only the session's own clients can answer at all ({@link Attachment#answerObserveRequest}). A
 * request that nobody answers in time, or whose session ends, is refused.
 */
public final class ObserveRequests {
  private static final Logger LOG = Logger.getLogger(ObserveRequests.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What becomes of the administrator waiting: called once, on the thread that settled it. */
  public interface Decision {
    /** The user agreed: attach the observer now. */
    void accepted();

    /** The observer is refused, with this close code and reason. */
    void refused(CloseCode code, String reason);
  }

  private record Pending(String admin, long deadlineNanos, Duration timeout, Decision decision) {}

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final String user;

  /**
   * @param user the session's owner, named in refusals
   */
  public ObserveRequests(String user) {
    this.user = user;
  }

  /**
   * Asks the session's users whether administrator {@code admin} may observe it.
   *
   * @return the request's id, to {@link #withdraw} it if the administrator goes away first
   */
  public String ask(String admin, Duration timeout, List<Attachment> clients, Decision decision) {
    byte[] bits = new byte[12];
    RANDOM.nextBytes(bits);
    String id = "r-" + HexFormat.of().formatHex(bits);
    pending.put(id, new Pending(admin, System.nanoTime() + timeout.toNanos(), timeout, decision));
    tell(clients, MessageCodec.observeRequest(id, admin, timeout.toSeconds()));
    return id;
  }

  /** A client attached: one that uses the terminal is asked about every request still waiting. */
  public void attached(Attachment client) {
    if (client.observer()) {
      return;
    }
    long now = System.nanoTime();
    pending.forEach(
        (id, request) ->
            client.sendText(
                MessageCodec.observeRequest(id, request.admin(), secondsLeft(request, now))));
  }

  /**
   * The session's user answered. A request that is not waiting (already settled, or never asked
   * here) is ignored: two tabs may answer the same request, and a late answer is no fault.
   */
  public void answer(String id, boolean accept, List<Attachment> clients) {
    Pending request = pending.remove(id);
    if (request == null) {
      LOG.fine(() -> "an answer to observe request " + id + ", which is not waiting: ignored");
      return;
    }
    LOG.info(
        () ->
            String.format(
                "%s %s %s's request to observe",
                user, accept ? "accepted" : "declined", request.admin()));
    tell(clients, MessageCodec.observeRequestOver(id, accept ? "accepted" : "declined"));
    if (accept) {
      request.decision().accepted();
    } else {
      request.decision().refused(CloseCode.OBSERVE_REFUSED, user + " declined to be observed.");
    }
  }

  /** Refuses the requests whose time ran out by {@code nowNanos}. */
  public void expire(long nowNanos, List<Attachment> clients) {
    pending.forEach(
        (id, request) -> {
          if (nowNanos - request.deadlineNanos() >= 0 && pending.remove(id, request)) {
            LOG.info(() -> user + " did not answer " + request.admin() + "'s request to observe");
            tell(clients, MessageCodec.observeRequestOver(id, "expired"));
            request
                .decision()
                .refused(
                    CloseCode.OBSERVE_REFUSED,
                    user
                        + " did not answer within "
                        + request.timeout().toSeconds()
                        + " s; nothing was shown.");
          }
        });
  }

  /** The administrator went away before an answer: the users' prompt is taken down. */
  public void withdraw(String id, List<Attachment> clients) {
    if (pending.remove(id) != null) {
      tell(clients, MessageCodec.observeRequestOver(id, "withdrawn"));
    }
  }

  /** The session ended: every administrator still waiting is refused with its end. */
  public void ended(SessionEnd end) {
    pending.forEach(
        (id, request) -> {
          if (pending.remove(id, request)) {
            request.decision().refused(end.code(), end.reason());
          }
        });
  }

  /** How many requests wait for an answer. */
  public int waiting() {
    return pending.size();
  }

  private static long secondsLeft(Pending request, long nowNanos) {
    return Math.max(0, (request.deadlineNanos() - nowNanos + 999_999_999L) / 1_000_000_000L);
  }

  private static void tell(List<Attachment> clients, String text) {
    for (Attachment client : clients) {
      if (!client.observer()) {
        client.sendText(text);
      }
    }
  }
}
