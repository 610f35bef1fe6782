package io.tether.web.admin;

import io.tether.config.TetherSettings;
import io.tether.events.EventCodec;
import io.tether.events.RecentEvents;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** The admin consoles' event streams open on this node, fed by {@link RecentEvents}. */
@ApplicationScoped
public class EventStreams {
  private static final Logger LOG = Logger.getLogger(EventStreams.class.getName());
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
  private static final long KEEP_ALIVE_SECONDS = 15;

  @Inject RecentEvents recent;
  @Inject EventCodec codec;
  @Inject TetherSettings settings;
  @Resource ManagedExecutorService executor;
  @Resource ManagedScheduledExecutorService scheduler;

  private final Set<EventSubscriber> open = ConcurrentHashMap.newKeySet();
  private ScheduledFuture<?> keepAlive;

  @PostConstruct
  void start() {
    keepAlive =
        scheduler.scheduleAtFixedRate(
            () -> open.forEach(EventSubscriber::keepAlive),
            KEEP_ALIVE_SECONDS,
            KEEP_ALIVE_SECONDS,
            TimeUnit.SECONDS);
  }

  /**
   * Starts streaming to {@code sink}: the opening control event is sent on the calling thread.
   *
   * @param resumeFrom {@code Last-Event-ID} or the {@code after} parameter; null for from now on
   */
  public EventSubscriber open(EventSubscriber.Sink sink, String resumeFrom, String user) {
    EventSubscriber[] self = new EventSubscriber[1];
    EventSubscriber subscriber =
        new EventSubscriber(
            recent,
            sink,
            executor,
            codec::toJson,
            settings.nodeName(),
            SEND_TIMEOUT,
            () -> {
              open.remove(self[0]);
              LOG.info(
                  () -> String.format("event stream of %s closed; %d open", user, open.size()));
            });
    self[0] = subscriber;
    open.add(subscriber);
    if (subscriber.start(resumeFrom)) {
      LOG.info(
          () ->
              String.format(
                  "event stream of %s opened (%s); %d open",
                  user, resumeFrom == null ? "from now" : "after " + resumeFrom, open.size()));
    }
    return subscriber;
  }

  @PreDestroy
  void stop() {
    if (keepAlive != null) {
      keepAlive.cancel(false);
    }
    List.copyOf(open).forEach(EventSubscriber::close);
  }
}
