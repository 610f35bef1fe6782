package io.tether.events;

import io.tether.registry.SessionItem;
import java.io.Serializable;
import java.time.Instant;

/**
 * Something that happened to a session, as the admin console and other nodes see it.
 *
 * @param type {@code opened}, {@code attached}, {@code detached}, {@code resized}, {@code
 *     idle-warning}, {@code updated} (the owner's sweep rewrote the record) or {@code closed}
 * @param attachedClients how many clients are attached after the event
 * @param reason for {@code closed}: the close code's label ({@code idle-timeout}, {@code
 *     node-lost}, ...); otherwise null
 * @param detail a human sentence (the close reason, the client id, the new size)
 * @param session the session's record as written with this event (null for {@code closed}): the
 *     console replaces its row with it unless it shows a later {@code revision}
 */
public record SessionEvent(
    String type,
    String sessionId,
    String user,
    String node,
    Instant at,
    int attachedClients,
    String reason,
    String detail,
    SessionItem session)
    implements Serializable {}
